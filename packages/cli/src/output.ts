import Table from 'cli-table3';
import { createColors } from 'picocolors';

type Colors = ReturnType<typeof createColors>;
type Stream = NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });

/** Colour only on a terminal, never with NO_COLOR (any value) or TERM=dumb; FORCE_COLOR wins. */
export function colorsFor(stream: Stream, env: Record<string, string | undefined>, disabled: boolean): Colors {
  if (disabled || 'NO_COLOR' in env) return createColors(false);
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return createColors(true);
  return createColors(Boolean(stream.isTTY) && env.TERM !== 'dumb');
}

/**
 * Where a command's output goes: results to stdout (JSON with `--json`), progress, notes and
 * errors to stderr, so `aiu … --json | jq` and `aiu chat … > answer.md` get only the result.
 */
export class Output {
  readonly color: Colors;
  readonly errColor: Colors;

  constructor(
    readonly json: boolean,
    env: Record<string, string | undefined>,
    noColor: boolean,
    readonly stdout: Stream = process.stdout,
    readonly stderr: Stream = process.stderr,
  ) {
    this.color = colorsFor(stdout, env, noColor || json);
    this.errColor = colorsFor(stderr, env, noColor);
  }

  get interactive(): boolean {
    return Boolean(this.stderr.isTTY);
  }

  write(text: string): void {
    this.stdout.write(text);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A borderless table; `align` per column ('right' for numbers). */
  table(head: string[], rows: Array<Array<string | number>>, align: Array<'left' | 'right'> = []): void {
    const table = new Table({
      head: head.map((title) => this.color.bold(title)),
      chars: BORDERLESS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
      colAligns: head.map((_, i) => align[i] ?? 'left'),
    });
    for (const row of rows) table.push(row.map(String));
    this.line(table.toString().replace(/ +$/gm, ''));
  }
}

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
};

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '$0';
  if (Math.abs(value) < 0.01) return `$${value.toPrecision(3).replace(/0+$/, '').replace(/\.$/, '')}`;
  return `$${value.toFixed(2)}`;
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString('en-US');
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

/** A local date and time, to the second: `2026-12-02 18:04:47`. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
