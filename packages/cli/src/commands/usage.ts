import { UsageReportSchema, type UsageStats } from '@aiu/core';
import type { Command } from 'commander';
import { readJson } from '../connection';
import { usageError } from '../errors';
import { count, ms, usd } from '../output';
import type { Run } from '../run';
import { parseTime } from '../time';

const GROUPS = ['model', 'provider', 'status', 'user', 'clientKey'] as const;
const PERIODS = ['hour', 'day', 'week', 'month'] as const;

interface UsageFlags {
  from: string;
  to?: string;
  by: string;
  granularity?: string;
  tz?: string;
}

export function usageCommand(program: Command, run: Run): void {
  program
    .command('usage')
    .description('What the calls cost: requests, tokens, cost and p50/p95 latency by model, provider, status, user, client key or period.')
    .option('--from <when>', 'since: ISO date/time, 7d, 12h, today, month', 'month')
    .option('--to <when>', 'until (default now)')
    .option('--by <what>', `${GROUPS.join(', ')}, or a period: ${PERIODS.join(', ')}`, 'model')
    .option('--granularity <period>', 'bucket size of the series (--json): hour, day, week, month')
    .option('--tz <zone>', 'time zone of day boundaries (IANA, e.g. Europe/Berlin); default this machine\'s')
    .addHelpText('after', `
Examples:
  $ aiu usage                       # this month, by model
  $ aiu usage --from 7d --by day
  $ aiu usage --by clientKey --json | jq '.groups'`)
    .action(
      run(async (ctx, flags: UsageFlags) => {
        const byPeriod = (PERIODS as readonly string[]).includes(flags.by);
        if (!byPeriod && !(GROUPS as readonly string[]).includes(flags.by)) throw usageError(`--by must be one of ${[...GROUPS, ...PERIODS].join(', ')}, not "${flags.by}".`);
        if (flags.granularity !== undefined && !(PERIODS as readonly string[]).includes(flags.granularity)) throw usageError(`--granularity must be one of ${PERIODS.join(', ')}.`);
        const from = parseTime(flags.from, '--from');
        const to = flags.to ? parseTime(flags.to, '--to') : new Date();
        if (from.getTime() >= to.getTime()) throw usageError('--from must be before --to.');
        const query = {
          from: from.toISOString(),
          to: to.toISOString(),
          tz: flags.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
          ...(byPeriod ? { granularity: flags.by } : { groupBy: flags.by, granularity: flags.granularity }),
        };
        const report = await ctx.withConnection(async (connection) => readJson(await connection.call('/usage', { query }), UsageReportSchema));
        if (ctx.out.json) return ctx.out.data(report);

        const rows: Array<[string, UsageStats]> = byPeriod
          ? report.buckets.flatMap((bucket) => (bucket.groups.all && bucket.groups.all.requests > 0 ? [[bucket.start.slice(0, flags.by === 'hour' ? 16 : 10).replace('T', ' '), bucket.groups.all] as [string, UsageStats]] : []))
          : Object.entries(report.groups).sort(([, a], [, b]) => b.cost - a.cost || b.requests - a.requests);
        const { color } = ctx.out;
        ctx.out.note(color.dim(`${report.from.slice(0, 16).replace('T', ' ')} → ${report.to.slice(0, 16).replace('T', ' ')} (${report.tz})`));
        if (rows.length === 0) return ctx.out.line('No calls in this range.');
        const cells = (name: string, stats: UsageStats) => [
          name,
          count(stats.requests),
          stats.errors ? color.red(count(stats.errors)) : '0',
          count(stats.inputTokens),
          count(stats.outputTokens),
          usd(stats.cost) + (stats.unpricedRequests ? color.yellow('*') : ''),
          ms(stats.latencyP50Ms),
          ms(stats.latencyP95Ms),
        ];
        ctx.out.table(
          [byPeriod ? flags.by.toUpperCase() : flags.by === 'clientKey' ? 'CLIENT KEY' : flags.by.toUpperCase(), 'REQUESTS', 'ERRORS', 'IN', 'OUT', 'COST', 'P50', 'P95'],
          [...rows.map(([name, stats]) => cells(name || '(none)', stats)), cells(color.bold('TOTAL'), report.totals)],
          ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        );
        if (report.totals.unpricedRequests) ctx.out.note(color.yellow(`* ${report.totals.unpricedRequests} calls have no known price and are not in the cost.`));
      }),
    );
}
