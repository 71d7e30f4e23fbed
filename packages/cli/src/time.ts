import { usageError } from './errors';

const RELATIVE = /^(\d+)\s*(m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time a person types: ISO (`2026-11-01`, `2026-11-01T09:00:00Z`), a span back from now
 * (`30m`, `12h`, `7d`, `2w`), `today` or `month` (their start, local time), `now`.
 */
export function parseTime(text: string, flag: string, now = new Date()): Date {
  const value = text.trim().toLowerCase();
  if (value === 'now') return now;
  if (value === 'today') return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (value === 'month') return new Date(now.getFullYear(), now.getMonth(), 1);
  const relative = RELATIVE.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[(relative[2] as string).toLowerCase()] as number));
  // A bare date is that day's local midnight, as a person means it.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00`) : new Date(text);
  if (Number.isNaN(date.getTime())) throw usageError(`${flag} "${text}" is not a time.`, 'use an ISO date (2026-11-01), a span back (7d, 12h), today or month');
  return date;
}

/** A span the CLI waits: `1s`, `500ms`, `2`. */
export function parseInterval(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim());
  if (!match) throw usageError(`${flag} "${text}" is not a duration.`, 'e.g. 2s or 500ms');
  const value = Number(match[1]) * ((match[2] ?? 's').toLowerCase() === 'ms' ? 1 : 1000);
  if (value < 100) throw usageError(`${flag} must be at least 100ms.`);
  return value;
}
