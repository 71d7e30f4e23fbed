import { InvalidRequestError, type Granularity } from '@aiu/core';

/** Rollup slots are 15 minutes: every real time zone's hour boundaries fall on one. */
export const SLOT_MS = 15 * 60_000;
const HOUR = 3_600_000;
const MAX_BUCKETS = 2_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let found = formatters.get(tz);
  if (!found) {
    try {
      found = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new InvalidRequestError(`Unknown time zone "${tz}": use an IANA name such as "Europe/Berlin".`);
    }
    formatters.set(tz, found);
  }
  return found;
}

export function assertTimeZone(tz: string): void {
  formatter(tz);
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function wallTime(instant: number, tz: string): Wall {
  const parts: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0 };
}

/** The zone's offset from UTC at an instant, in ms. */
export function offsetAt(instant: number, tz: string): number {
  const wall = wallTime(instant, tz);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return asUtc - Math.floor(instant / 60_000) * 60_000;
}

/**
 * The instant a local wall time names. In a spring-forward gap the later offset applies
 * (02:30 that never happened becomes 03:30); in a fall-back overlap, the earlier instant.
 */
export function instantOf(year: number, month: number, day: number, hour: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  const before = wall - offsetAt(wall - 86_400_000, tz);
  const after = wall - offsetAt(wall + 86_400_000, tz);
  const valid = [before, after].filter((instant) => instant + offsetAt(instant, tz) === wall);
  // Overlap: both are valid, take the earlier. Gap: neither is, the old offset moves the time forward.
  return valid.length ? Math.min(...valid) : before;
}

function startOf(instant: number, granularity: Granularity, tz: string): number {
  const wall = wallTime(instant, tz);
  switch (granularity) {
    case 'hour':
      return instantOf(wall.year, wall.month, wall.day, wall.hour, tz);
    case 'day':
      return instantOf(wall.year, wall.month, wall.day, 0, tz);
    case 'week': {
      // ISO weeks start on Monday.
      const weekday = (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7;
      return instantOf(wall.year, wall.month, wall.day - weekday, 0, tz);
    }
    case 'month':
      return instantOf(wall.year, wall.month, 1, 0, tz);
  }
}

function next(start: number, granularity: Granularity, tz: string): number {
  if (granularity === 'hour') return start + HOUR;
  const wall = wallTime(start, tz);
  if (granularity === 'day') return instantOf(wall.year, wall.month, wall.day + 1, 0, tz);
  if (granularity === 'week') return instantOf(wall.year, wall.month, wall.day + 7, 0, tz);
  return instantOf(wall.year, wall.month + 1, 1, 0, tz);
}

/**
 * Every bucket start from the one holding `from` up to `to` (exclusive), in the zone's
 * calendar: days of 23 or 25 hours across DST, months of their real length.
 */
export function bucketStarts(from: number, to: number, granularity: Granularity, tz: string): number[] {
  const starts: number[] = [];
  for (let start = startOf(from, granularity, tz); start < to; start = next(start, granularity, tz)) {
    starts.push(start);
    if (starts.length > MAX_BUCKETS) {
      throw new InvalidRequestError(`That range has more than ${MAX_BUCKETS} ${granularity} buckets; pick a coarser granularity or a shorter range.`);
    }
  }
  return starts;
}

/** Bucket starts for [from, to) and the end of the last bucket. */
export function bucketRange(from: number, to: number, granularity: Granularity, tz: string): { starts: number[]; end: number } {
  const starts = bucketStarts(from, to, granularity, tz);
  const last = starts[starts.length - 1];
  return { starts, end: last === undefined ? to : next(last, granularity, tz) };
}

/** Index of the bucket holding `instant` (starts ascending), or -1. */
export function bucketIndex(starts: number[], end: number, instant: number): number {
  if (instant < (starts[0] ?? Infinity) || instant >= end) return -1;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] as number) <= instant) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** ISO 8601 with the zone's offset at that instant: `2026-03-29T00:00:00+01:00`. */
export function isoInZone(instant: number, tz: string): string {
  const offset = offsetAt(instant, tz);
  const local = new Date(instant + offset).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const sign = offset > 0 ? '+' : '-';
  const minutes = Math.abs(offset) / 60_000;
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
