import { LogPageSchema, type LogEntry } from '@aiu/core';
import type { Command } from 'commander';
import type { Connection } from '../connection';
import { readJson } from '../connection';
import type { Context } from '../context';
import { usageError } from '../errors';
import { count, localTime, ms, usd } from '../output';
import type { Run } from '../run';
import { parseInterval, parseTime } from '../time';

interface LogsFlags {
  follow?: boolean;
  limit: string;
  status?: string;
  model?: string;
  provider?: string;
  clientKey?: string;
  from?: string;
  interval: string;
}

export function logsCommand(program: Command, run: Run): void {
  program
    .command('logs')
    .description('The request log, newest first; --follow prints entries as they land.')
    .option('-f, --follow', 'keep printing new entries (Ctrl-C stops)')
    .option('-n, --limit <n>', 'how many entries', '20')
    .option('--status <status>', 'success, error, aborted or interrupted')
    .option('--model <id>', 'one model (provider:model)')
    .option('--provider <id>', 'one provider')
    .option('--client-key <id>', 'calls made with one client key')
    .option('--from <when>', 'since: ISO time, 7d, 12h, today')
    .option('--interval <duration>', 'how often --follow asks', '1s')
    .addHelpText('after', `
Examples:
  $ aiu logs -n 50 --status error
  $ aiu logs --follow
  $ aiu logs --json | jq '.entries[] | {model, cost: .cost.total}'`)
    .action(
      run(async (ctx, flags: LogsFlags) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError(`--limit must be a whole number from 1 to 500, not "${flags.limit}".`);
        const filters = {
          status: flags.status,
          model: flags.model,
          provider: flags.provider,
          clientKey: flags.clientKey,
          from: flags.from ? parseTime(flags.from, '--from').toISOString() : undefined,
        };
        const interval = parseInterval(flags.interval, '--interval');
        await ctx.withConnection(async (connection) => {
          const page = await readJson(await connection.call('/logs', { query: { ...filters, limit } }), LogPageSchema);
          if (!flags.follow) {
            if (ctx.out.json) return ctx.out.data(page);
            if (page.entries.length === 0) return ctx.out.line('No calls logged yet.');
            ctx.out.table(HEAD, page.entries.map((entry) => row(ctx, entry)), ALIGN);
            return;
          }
          await follow(ctx, connection, page.entries, filters, interval);
        });
      }),
    );
}

const HEAD = ['TIME', 'MODEL', 'STATUS', 'IN', 'OUT', 'COST', 'LATENCY', 'ID'];
const ALIGN: Array<'left' | 'right'> = ['left', 'left', 'left', 'right', 'right', 'right', 'right'];

function row(ctx: Context, entry: LogEntry): string[] {
  const { color } = ctx.out;
  const status = entry.status === 'success' ? color.green(entry.status) : entry.status === 'error' ? color.red(`error ${entry.errorCode ?? ''}`.trim()) : color.yellow(entry.status);
  return [localTime(entry.time), entry.model, status, count(entry.inputTokens), count(entry.outputTokens), usd(entry.cost?.total), ms(entry.latencyMs), entry.id];
}

const WIDTHS = [19, 34, 16, 9, 8, 10, 9];

/** Columns padded to fixed widths (colour codes aside): a table cannot be re-aligned as lines arrive. */
function padded(cells: string[]): string {
  return cells
    .map((cell, i) => {
      const width = WIDTHS[i];
      if (width === undefined) return cell;
      const gap = ' '.repeat(Math.max(0, width - visibleLength(cell)));
      return ALIGN[i] === 'right' ? gap + cell : cell + gap;
    })
    .join('  ');
}

const line = (ctx: Context, entry: LogEntry) => padded(row(ctx, entry));

// eslint-disable-next-line no-control-regex -- colour codes are what is removed
const visibleLength = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').length;

/**
 * Prints the latest entries oldest first, then asks for entries written since the newest seen,
 * every `interval`, printing each once. Entries are timed when they are written, so a call that
 * finishes later sorts later; the server's clock is the only one used (`since` is an entry's time).
 */
async function follow(ctx: Context, connection: Connection, latest: LogEntry[], filters: Record<string, string | undefined>, interval: number): Promise<void> {
  let since: number | undefined;
  // Ids already printed whose time is exactly `since`: the next page starts at that millisecond again.
  let atSince = new Set<string>();
  const print = (entries: LogEntry[]) => {
    for (const entry of [...entries].reverse()) {
      const time = Date.parse(entry.time);
      if (since !== undefined && (time < since || (time === since && atSince.has(entry.id)))) continue;
      if (since === undefined || time > since) {
        since = time;
        atSince = new Set();
      }
      atSince.add(entry.id);
      if (ctx.out.json) ctx.out.data(entry);
      else ctx.out.line(line(ctx, entry));
    }
  };
  if (!ctx.out.json) ctx.out.line(ctx.out.color.bold(padded(HEAD)));
  print(latest);
  if (!ctx.out.json) ctx.out.note(ctx.out.errColor.dim(`following ${connection.where} — Ctrl-C stops`));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop.signal.aborted) {
      await sleep(interval, stop.signal);
      if (stop.signal.aborted) break;
      const query = { ...filters, limit: 500, ...(since === undefined ? {} : { from: new Date(since).toISOString() }) };
      const page = await readJson(await connection.call('/logs', { query }), LogPageSchema).catch((error: unknown) => {
        ctx.out.note(ctx.out.errColor.yellow(`could not read the log: ${(error as Error).message}`));
        return null;
      });
      if (page) print(page.entries);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
