'use client';
import type { Granularity, GroupBy, LogEntry, RequestStatus } from '@aiu/core';
import { aiuKeys, formatMetric, UsageChart, type UsageMetric, useClientKeys, useRequestLog, useUsage } from '@aiu/react';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatUsd } from './conversations';
import { LogDetail } from './LogDetail';

const COLORS = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1', '#d63384', '#6c757d'];

const METRICS: Array<[UsageMetric, string]> = [
  ['cost', 'Cost'],
  ['tokens', 'Tokens'],
  ['requests', 'Requests'],
  ['latency', 'Latency p50'],
  ['latencyP95', 'Latency p95'],
];
const RANGES = [
  ['24h', 'Last 24 hours', 86_400_000, 'hour'],
  ['7d', 'Last 7 days', 7 * 86_400_000, 'day'],
  ['30d', 'Last 30 days', 30 * 86_400_000, 'day'],
  ['90d', 'Last 90 days', 90 * 86_400_000, 'week'],
] as const;
const GROUPS: Array<[GroupBy, string]> = [
  ['model', 'Model'],
  ['provider', 'Provider'],
  ['status', 'Status'],
  ['user', 'User'],
  ['clientKey', 'Client key'],
];
const STATUSES: RequestStatus[] = ['success', 'error', 'aborted', 'interrupted'];
const LIVE_MS = 5000;

type Range = (typeof RANGES)[number][0];

/** A range ending a little after now, rounded to the minute so the query key stays put between renders. */
function rangeOf(range: Range, now = Date.now()): { from: string; to: string } {
  const span = RANGES.find(([id]) => id === range)?.[2] ?? 86_400_000;
  const end = Math.ceil(now / 60_000) * 60_000 + 60_000;
  return { from: new Date(end - span).toISOString(), to: new Date(end).toISOString() };
}

export function UsagePage() {
  const [metric, setMetric] = useState<UsageMetric>('cost');
  const [range, setRange] = useState<Range>('7d');
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [groupBy, setGroupBy] = useState<GroupBy>('model');
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const [model, setModel] = useState('');
  const [detail, setDetail] = useState<string | null>(null);
  const [{ from, to }, setWindow] = useState(() => rangeOf('7d'));
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const filters = { from, to, ...(model ? { model } : {}) };
  const usage = useUsage({ ...filters, granularity, groupBy, tz });
  const byKey = useUsage({ from, to, groupBy: 'clientKey', tz, granularity });
  const clientKeys = useClientKeys();
  const log = useRequestLog({ limit: 25, ...filters, ...(status ? { status } : {}) });
  useLiveUpdates(() => setWindow(rangeOf(range)));

  const totals = usage.report?.totals ?? null;
  const names = useMemo(() => new Map(clientKeys.keys.map((key) => [key.id, key.name])), [clientKeys.keys]);
  const spendByKey = Object.entries(byKey.report?.groups ?? {})
    // Calls without a key group apart (the server names that group `none`); client key ids start `ck_`.
    .filter(([id]) => id.startsWith('ck_'))
    .sort(([, a], [, b]) => b.cost - a.cost);
  const costly = [...log.entries].filter((entry) => entry.cost).sort((a, b) => (b.cost?.total ?? 0) - (a.cost?.total ?? 0)).slice(0, 5);

  return (
    <section aria-labelledby="usage-heading">
      <h1 id="usage-heading">Usage</h1>
      <div className="filters" role="group" aria-label="Filters">
        <Select label="Show" value={metric} onChange={(value) => setMetric(value as UsageMetric)} options={METRICS} />
        <Select
          label="Range"
          value={range}
          onChange={(value) => {
            const next = value as Range;
            setRange(next);
            setWindow(rangeOf(next));
            setGranularity(RANGES.find(([id]) => id === next)?.[3] ?? 'day');
          }}
          options={RANGES.map(([id, label]) => [id, label])}
        />
        <Select label="Per" value={granularity} onChange={(value) => setGranularity(value as Granularity)} options={[['hour', 'Hour'], ['day', 'Day'], ['week', 'Week'], ['month', 'Month']]} />
        <Select label="Group by" value={groupBy} onChange={(value) => setGroupBy(value as GroupBy)} options={GROUPS} />
        <div>
          <label htmlFor="filter-model">Model</label>
          <input id="filter-model" value={model} onChange={(event) => setModel(event.target.value.trim())} placeholder="any (provider:model)" />
        </div>
      </div>

      {totals ? (
        <dl className="cards" data-testid="summary">
          <div>
            <dt>Requests</dt>
            <dd>{totals.requests.toLocaleString()}</dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>{formatUsd(totals.cost)}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {totals.inputTokens.toLocaleString()} in · {totals.outputTokens.toLocaleString()} out
            </dd>
          </div>
          <div>
            <dt>Error rate</dt>
            <dd>{(totals.errorRate * 100).toFixed(1)}%</dd>
          </div>
          <div>
            <dt>Latency p50 / p95</dt>
            <dd>
              {totals.latencyP50Ms === null ? '—' : formatMetric(totals.latencyP50Ms, 'latency')} / {totals.latencyP95Ms === null ? '—' : formatMetric(totals.latencyP95Ms, 'latency')}
            </dd>
          </div>
          <div>
            <dt>Saved by the cache</dt>
            <dd>{formatUsd(totals.savedByCache)}</dd>
          </div>
        </dl>
      ) : null}

      <UsageChart report={usage.report} metric={metric} granularity={granularity} groupBy={groupBy} tz={tz}>
        {({ series, buckets, ticks, scale, isEmpty, totals: chartTotals, costBreakdown, getChartProps, getSummaryProps }) => (
          <figure className="chart">
            {usage.error ? <p className="error">Could not load usage: {usage.error.message}</p> : null}
            {usage.isLoading ? <p className="muted">Loading usage…</p> : null}
            {isEmpty && !usage.isLoading ? <p className="empty">No requests in this period yet.</p> : null}
            <div className="chart-scroll">
              <svg {...getChartProps({ width: '100%' })}>
                {ticks.map((tick) => (
                  <g key={tick.value}>
                    <line x1={scale.padding.left} x2={scale.width - scale.padding.right} y1={scale.y(tick.value)} y2={scale.y(tick.value)} className="grid" />
                    <text x={scale.padding.left - 6} y={scale.y(tick.value) + 4} textAnchor="end" className="tick">
                      {tick.label}
                    </text>
                  </g>
                ))}
                {series.map((s, i) =>
                  s.points.map((p) => (
                    <rect
                      key={`${s.key}-${p.bucket}`}
                      data-series={s.key}
                      x={scale.x(p.bucket) + 4}
                      width={Math.max(0, scale.bandWidth - 8)}
                      y={scale.y(p.y1)}
                      height={Math.max(0, scale.y(p.y0) - scale.y(p.y1))}
                      fill={COLORS[i % COLORS.length]}
                    />
                  )),
                )}
                {buckets.map((b, i) =>
                  // Every label where they fit; on a dense axis every other one, so none overlap.
                  buckets.length <= 12 || i % Math.ceil(buckets.length / 12) === 0 ? (
                    <text key={b.start} x={scale.x(i) + scale.bandWidth / 2} y={scale.height - 6} textAnchor="middle" className="tick">
                      {b.label}
                    </text>
                  ) : null,
                )}
              </svg>
            </div>
            <ul className="legend" aria-label="Legend">
              {series.map((s, i) => (
                <li key={s.key}>
                  <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} /> {groupBy === 'clientKey' ? (names.get(s.key) ?? (s.key.startsWith('ck_') ? s.key : 'no client key')) : s.key || 'none'}: {formatMetric(s.total, metric)}
                </li>
              ))}
            </ul>
            <figcaption {...getSummaryProps({ className: 'muted' })} />
            {chartTotals ? <p data-testid="totals">{`${chartTotals.requests} requests · $${chartTotals.cost.toFixed(6)} · ${chartTotals.totalTokens} tokens`}</p> : null}
            {costBreakdown ? (
              <dl className="breakdown" data-testid="cost-breakdown">
                <dt>Saved by the prompt cache</dt>
                <dd>${costBreakdown.savedByCache.toFixed(6)}</dd>
                <dt>Audio</dt>
                <dd>${costBreakdown.audio.toFixed(6)}</dd>
                <dt>At flex, priority or other tiers</dt>
                <dd>{`$${costBreakdown.tier.toFixed(6)} (${costBreakdown.tierRequests} calls)`}</dd>
                <dt>Calls without a known price</dt>
                <dd>{costBreakdown.unpricedRequests}</dd>
              </dl>
            ) : null}
          </figure>
        )}
      </UsageChart>

      <div className="columns">
        <section aria-labelledby="costly-heading">
          <h2 id="costly-heading">Most expensive calls</h2>
          {costly.length === 0 ? (
            <p className="empty">None yet.</p>
          ) : (
            <ol className="plain" data-testid="costly">
              {costly.map((entry) => (
                <li key={entry.id}>
                  <button type="button" className="link" onClick={() => setDetail(entry.id)}>
                    {formatUsd(entry.cost?.total)} · {entry.model}
                  </button>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section aria-labelledby="spend-heading">
          <h2 id="spend-heading">Spend per client key</h2>
          {spendByKey.length === 0 ? (
            <p className="empty">No calls with a client key in this range.</p>
          ) : (
            <div className="table-scroll">
            <table className="table" aria-label="Spend per client key">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Cost</th>
                </tr>
              </thead>
              <tbody>
                {spendByKey.map(([id, stats]) => (
                  <tr key={id}>
                    <td>{names.get(id) ?? id}</td>
                    <td>{stats.requests}</td>
                    <td>{formatUsd(stats.cost)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
</div>
          )}
        </section>
      </div>

      <h2>Request log</h2>
      <div className="filters">
        <Select label="Status" value={status} onChange={(value) => setStatus(value as RequestStatus | '')} options={[['', 'Any'], ...STATUSES.map((s): [string, string] => [s, s])]} />
        <p className="export">
          Export this view: <a href={log.exportUrl('csv')}>CSV</a> · <a href={log.exportUrl('jsonl')}>JSON Lines</a>
        </p>
      </div>
      {log.entries.length === 0 && !log.isLoading ? (
        <p className="empty">No calls match.</p>
      ) : (
        <div className="table-scroll">
        <table className="table" aria-label="Request log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col">In</th>
              <th scope="col">Out</th>
              <th scope="col">Cost</th>
              <th scope="col">Latency</th>
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {log.entries.map((entry: LogEntry) => (
              <tr key={entry.id} data-status={entry.status}>
                <td>{new Date(entry.time).toLocaleString()}</td>
                <td>{entry.model}</td>
                <td>
                  {entry.status}
                  {entry.estimated ? ' (estimated)' : ''}
                </td>
                <td>{entry.inputTokens.toLocaleString()}</td>
                <td>{entry.outputTokens.toLocaleString()}</td>
                <td>{entry.cost ? `$${entry.cost.total.toFixed(6)}` : '—'}</td>
                <td>{Math.round(entry.latencyMs)} ms</td>
                <td>
                  <button type="button" className="link" onClick={() => setDetail(entry.id)}>
                    Details <span className="visually-hidden">of {entry.id}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      )}
      {log.hasNextPage ? (
        <button type="button" onClick={log.fetchNextPage} disabled={log.isFetchingNextPage}>
          Older requests
        </button>
      ) : null}
      {detail ? <LogDetail id={detail} onClose={() => setDetail(null)} /> : null}
    </section>
  );
}

function Select({ label, value, onChange, options }: { label: string; value: string; onChange: (value: string) => void; options: ReadonlyArray<readonly [string, string]> }) {
  const id = `select-${label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Calls land while the page is open: refresh the report and the log every few seconds, while the tab is visible. */
function useLiveUpdates(moveWindow: () => void) {
  const client = useQueryClient();
  const move = useRef(moveWindow);
  move.current = moveWindow;
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      move.current();
      void client.invalidateQueries({ queryKey: aiuKeys.usage().slice(0, 2) });
      void client.invalidateQueries({ queryKey: aiuKeys.logs().slice(0, 2) });
    }, LIVE_MS);
    return () => clearInterval(timer);
  }, [client]);
}
