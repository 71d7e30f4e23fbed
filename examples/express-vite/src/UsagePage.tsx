'use client';
import { UsageChart, useRequestLog } from '@aiu/react';
import { useState } from 'react';

const COLORS = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1', '#d63384', '#6c757d'];

export function UsagePage() {
  const log = useRequestLog({ limit: 20 });
  // Fixed for the page's life: a new Date on every render would be a new query every render.
  const [{ from, to }] = useState(() => ({ from: new Date(Date.now() - 6 * 86_400_000), to: new Date(Date.now() + 86_400_000) }));
  return (
    <section aria-labelledby="usage-heading">
      <h1 id="usage-heading">Usage</h1>
      <UsageChart from={from} to={to} granularity="day" groupBy="model" metric="requests" tz={Intl.DateTimeFormat().resolvedOptions().timeZone}>
        {({ series, buckets, ticks, scale, isLoading, isEmpty, error, totals, costBreakdown, getChartProps, getSummaryProps }) => (
          <figure className="chart">
            {error ? <p className="error">{error.message}</p> : null}
            {isLoading ? <p className="muted">Loading usage…</p> : null}
            {isEmpty && !isLoading ? <p className="muted">No requests in this period yet.</p> : null}
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
              {buckets.map((b, i) => (
                <text key={b.start} x={scale.x(i) + scale.bandWidth / 2} y={scale.height - 6} textAnchor="middle" className="tick">
                  {b.label}
                </text>
              ))}
            </svg>
            <ul className="legend">
              {series.map((s, i) => (
                <li key={s.key}>
                  <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} /> {s.key}: {s.total}
                </li>
              ))}
            </ul>
            <figcaption {...getSummaryProps({ className: 'muted' })} />
            {totals ? <p data-testid="totals">{`${totals.requests} requests · $${totals.cost.toFixed(6)} · ${totals.totalTokens} tokens`}</p> : null}
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

      <h2>Request log</h2>
      <p>
        Export: <a href={log.exportUrl('csv')}>CSV</a> · <a href={log.exportUrl('jsonl')}>JSON Lines</a>
      </p>
      <table className="table" aria-label="Request log">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col">Tokens</th>
            <th scope="col">Cost</th>
            <th scope="col">Latency</th>
          </tr>
        </thead>
        <tbody>
          {log.entries.map((entry) => (
            <tr key={entry.id} data-status={entry.status}>
              <td>{new Date(entry.time).toLocaleTimeString()}</td>
              <td>{entry.model}</td>
              <td>{entry.status}{entry.estimated ? ' (estimated)' : ''}</td>
              <td>{entry.totalTokens}</td>
              <td>{entry.cost ? `$${entry.cost.total.toFixed(6)}` : '—'}</td>
              <td>{Math.round(entry.latencyMs)} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
      {log.hasNextPage ? (
        <button type="button" onClick={log.fetchNextPage} disabled={log.isFetchingNextPage}>
          Older requests
        </button>
      ) : null}
    </section>
  );
}
