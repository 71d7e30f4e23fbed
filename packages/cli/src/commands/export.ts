import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { ensureOk } from '../connection';
import { CliError, usageError } from '../errors';
import type { Run } from '../run';
import { parseTime } from '../time';

interface ExportFlags {
  format?: string;
  out?: string;
  from?: string;
  to?: string;
  status?: string;
  model?: string;
  provider?: string;
  clientKey?: string;
}

export function exportCommand(program: Command, run: Run): void {
  program
    .command('export')
    .description('The request log as CSV or JSON Lines, to a file or stdout (progress on stderr).')
    .option('--format <format>', 'csv or jsonl (default csv; jsonl with --json)')
    .option('-o, --out <file>', 'write to this file (replaced only once the export is complete)')
    .option('--from <when>', 'since: ISO time, 7d, today, month')
    .option('--to <when>', 'until')
    .option('--status <status>', 'success, error, aborted or interrupted')
    .option('--model <id>', 'one model')
    .option('--provider <id>', 'one provider')
    .option('--client-key <id>', 'one client key')
    .addHelpText('after', `
Examples:
  $ aiu export --out november.csv --from 2026-11-01 --to 2026-12-01
  $ aiu export --format jsonl | gzip > log.jsonl.gz`)
    .action(
      run(async (ctx, flags: ExportFlags) => {
        const format = flags.format ?? (ctx.out.json && !flags.out ? 'jsonl' : 'csv');
        if (format !== 'csv' && format !== 'jsonl') throw usageError(`--format must be csv or jsonl, not "${format}".`);
        const query = {
          format,
          from: flags.from ? parseTime(flags.from, '--from').toISOString() : undefined,
          to: flags.to ? parseTime(flags.to, '--to').toISOString() : undefined,
          status: flags.status,
          model: flags.model,
          provider: flags.provider,
          clientKey: flags.clientKey,
        };
        const target = flags.out ? resolve(ctx.settings.cwd, flags.out) : null;
        const partial = target ? `${target}.${process.pid}.partial` : null;
        const progress = new Progress(ctx.out.interactive, (text) => process.stderr.write(text));
        let rows = 0;
        let bytes = 0;
        await ctx.withConnection(async (connection) => {
          const response = await ensureOk(await connection.call('/logs/export', { query }));
          if (!response.body) throw new CliError('invalid_response', 'The export came without a body.');
          const sink: NodeJS.WritableStream = partial ? createWriteStream(partial, { mode: 0o600 }) : process.stdout;
          try {
            for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
              bytes += chunk.byteLength;
              for (const byte of chunk) if (byte === 10) rows++;
              if (!sink.write(chunk)) await new Promise<void>((done) => sink.once('drain', () => done()));
              progress.tick(rows, bytes);
            }
            if (partial) {
              sink.end();
              await finished(sink);
            }
          } catch (error) {
            if (partial) await rm(partial, { force: true });
            throw error;
          }
          if (partial && target) await rename(partial, target);
        });
        // CSV's first line is its header.
        const entries = format === 'csv' ? Math.max(0, rows - 1) : rows;
        progress.done();
        if (ctx.out.json && target) ctx.out.data({ file: target, format, entries, bytes });
        else if (target || ctx.out.interactive) ctx.out.note(`${entries.toLocaleString('en-US')} entries, ${size(bytes)}${target ? ` → ${target}` : ''}`);
      }),
    );
}

/** A progress line on a terminal, redrawn at most every 200 ms; nothing when stderr is a file. */
class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly enabled: boolean,
    private readonly write: (text: string) => void,
  ) {}

  tick(rows: number, bytes: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 200) return;
    this.last = now;
    this.shown = true;
    this.write(`\rexporting… ${rows.toLocaleString('en-US')} lines, ${size(bytes)}`);
  }

  done(): void {
    if (this.shown) this.write('\r\u001b[K');
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
