import { InvalidRequestError, type UsageReport, UsageQuerySchema } from '@aiu/core';
import { ownerOf } from '../keyring/resolve';
import { planRanges } from '../log/rollup';
import { buildComparison, buildReport } from '../usage/aggregate';
import { assertTimeZone, bucketRange } from '../usage/buckets';
import { parseOrThrow } from './body';
import type { RouteContext } from './context';
import { json } from './respond';
import { readScope, rollupProject, rollupUser } from './scope';

const DAY = 86_400_000;
const DEFAULT_SPAN = { hour: 2 * DAY, day: 30 * DAY, week: 12 * 7 * DAY, month: 365 * DAY } as const;

/** Gap-filled usage series, per-group stats and totals — or the model comparison (`view=compare`). */
export async function usageRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const query = parseOrThrow(UsageQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 'usage query');
  const tz = query.tz ?? 'UTC';
  assertTimeZone(tz);
  const granularity = query.granularity ?? 'day';
  const to = query.to ? Date.parse(query.to) : Date.now();
  const from = query.from ? Date.parse(query.from) : to - DEFAULT_SPAN[granularity];
  if (!(from < to)) throw new InvalidRequestError('from must be before to.');
  const scope = await readScope(request, ctx, 'usage:read');
  const userId = rollupUser(scope);
  const projectId = rollupProject(scope);
  const { starts, end } = bucketRange(from, to, granularity, tz);

  // Read-your-writes: whatever is queued for the store is written before we read.
  await ctx.log.flush();
  const store = await ctx.store();
  // The comparison has one bucket; the series cuts at every bucket start.
  const ranges = planRanges(starts[0] ?? from, end, query.view === 'compare' ? [] : starts);
  // Only a report by user tells users apart; every other one may read rows summed over them.
  const acrossUsers = query.view === 'compare' || query.groupBy !== 'user';
  const acrossClientKeys = query.view === 'compare' || query.groupBy !== 'clientKey';
  // A caller with a client key sees only that key's usage.
  const clientKeyId = ctx.identity.clientKeyId ?? query.clientKey;
  const rows = await store.usageRollups({ ranges, provider: query.provider, model: query.model, userId, projectId, acrossUsers, clientKeyId, acrossClientKeys });
  if (query.view === 'compare') return json(buildComparison(rows));

  const report: UsageReport = buildReport(rows, { starts, end, granularity, groupBy: query.groupBy ?? null, tz });
  if (ctx.runtime.guards.quotas.enabled) report.quota = await ctx.runtime.guards.quotas.status(ownerOf(ctx.identity));
  return json(report);
}
