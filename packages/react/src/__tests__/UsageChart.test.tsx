import { aiuHandlers, emptyUsageReport } from '@aiu/testing/msw';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../../test/axe';
import { server } from '../../test/setup';
import { REPORT } from '../../test/usage';
import { AiuProvider } from '../AiuProvider';
import { niceTicks, usageChartGeometry, usageSummary } from '../core/chartGeometry';
import { UsageChart, type UsageChartProps } from '../UsageChart';
import { useRequestLog } from '../useRequestLog';

describe('usage chart geometry', () => {
  it('stacks series largest first, with a linear scale and nice ticks', () => {
    const g = usageChartGeometry(REPORT, { metric: 'cost', width: 600, height: 200, padding: { top: 0, right: 0, bottom: 0, left: 0 } });
    expect(g.series.map((s) => [s.key, s.total])).toEqual([
      ['anthropic:claude-sonnet-4-5', 4],
      ['openai:gpt-4o-mini', 2],
    ]);
    expect(g.series[0]?.points.map((p) => [p.y0, p.y1])).toEqual([[0, 4], [0, 0], [0, 0]]);
    expect(g.series[1]?.points.map((p) => [p.y0, p.y1])).toEqual([[4, 5.5], [0, 0], [0, 0.5]]);
    expect(g.buckets.map((b) => [b.label, b.total])).toEqual([['Nov 1', 5.5], ['Nov 2', 0], ['Nov 3', 0.5]]);
    expect(g.max).toBe(5.5);
    expect(g.ticks.map((t) => t.value)).toEqual([0, 2, 4, 6]);
    expect(g.ticks.map((t) => t.label)).toEqual(['$0', '$2.00', '$4.00', '$6.00']);
    expect(g.scale.bandWidth).toBe(200);
    expect([g.scale.x(0), g.scale.x(2)]).toEqual([0, 400]);
    // The top tick maps to the top, zero to the bottom.
    expect([g.scale.y(0), g.scale.y(6), g.scale.y(3)]).toEqual([200, 0, 100]);
    expect(g.isEmpty).toBe(false);
  });

  it('does not stack latency: each group stands on zero', () => {
    const g = usageChartGeometry(REPORT, { metric: 'latency' });
    expect(g.buckets[0]?.total).toBe(900);
    expect(g.series.every((s) => s.points.every((p) => p.y0 === 0))).toBe(true);
    expect(g.ticks.at(-1)?.label).toBe('1.0 s');
  });

  it('charts p95 latency apart from the median, unstacked too', () => {
    const g = usageChartGeometry(REPORT, { metric: 'latencyP95' });
    expect(g.buckets[0]?.total).toBe(2600);
    expect(g.series.every((s) => s.points.every((p) => p.y0 === 0))).toBe(true);
    expect(g.ticks.at(-1)?.label).toBe('3.0 s');
  });

  it('picks 1, 2 or 5 × 10ⁿ steps', () => {
    expect(niceTicks(0)).toEqual([0]);
    expect(niceTicks(9)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(12_345)).toEqual([0, 5000, 10000, 15000]);
  });

  it('summarises the chart in words', () => {
    const g = usageChartGeometry(REPORT, { metric: 'cost' });
    expect(usageSummary(REPORT, g, 'cost')).toBe(
      'From Nov 1 to Nov 3: 16 requests, $6.00 spent, 250 tokens, 6.3% errors. Highest cost: Nov 1 ($5.50). By model: anthropic:claude-sonnet-4-5 $4.00, openai:gpt-4o-mini $2.00.',
    );
  });

  it('says what the cost is made of: cache savings, audio, calls at a non-standard tier', () => {
    const report = { ...REPORT, totals: { ...REPORT.totals, savedByCache: 0.25, audioCost: 1.5, tierCost: 2, tierRequests: 3 } };
    const g = usageChartGeometry(report, { metric: 'cost' });
    expect(usageSummary(report, g, 'cost')).toContain(
      '$6.00 spent, 250 tokens, 6.3% errors, the prompt cache saved $0.25, audio $1.50, $2.00 from 3 calls at a non-standard service tier.',
    );
    // Other metrics keep to their own figures.
    expect(usageSummary(report, usageChartGeometry(report, { metric: 'tokens' }), 'tokens')).not.toContain('audio');
  });

  it('hands the cost breakdown to the render prop', () => {
    const report = { ...REPORT, totals: { ...REPORT.totals, savedByCache: 0.25, audioCost: 1.5, tierCost: 2, tierRequests: 3, serverToolRequests: 4 } };
    let seen: unknown;
    render(
      <UsageChart report={report}>
        {(api) => {
          seen = api.costBreakdown;
          return null;
        }}
      </UsageChart>,
    );
    expect(seen).toEqual({ total: 6, savedByCache: 0.25, audio: 1.5, tier: 2, tierRequests: 3, serverToolRequests: 4, unpricedRequests: REPORT.totals.unpricedRequests });
  });

  it('is honestly empty: no series, no invented values', () => {
    const empty = emptyUsageReport(new Date('2026-11-01T00:00:00Z'), new Date('2026-11-08T00:00:00Z'));
    const g = usageChartGeometry(empty, { metric: 'requests' });
    expect(g.isEmpty).toBe(true);
    expect(g.series).toEqual([]);
    expect(g.buckets).toHaveLength(7);
    expect(g.buckets.every((b) => b.total === 0)).toBe(true);
    expect(usageSummary(empty, g, 'requests')).toBe('No requests from Nov 1 to Nov 7.');
  });
});

function Chart(props: Omit<UsageChartProps, 'children'>) {
  return (
    <UsageChart {...props}>
      {({ series, buckets, ticks, scale, isLoading, isEmpty, error, getChartProps, getSummaryProps }) => (
        <figure>
          {isLoading ? <p>Loading usage…</p> : null}
          {error ? <p role="alert">{error.message}</p> : null}
          {isEmpty && !isLoading ? <p>No usage yet.</p> : null}
          <svg {...getChartProps()}>
            {ticks.map((tick) => (
              <text key={tick.value} x={0} y={scale.y(tick.value)}>
                {tick.label}
              </text>
            ))}
            {series.map((s) =>
              s.points.map((p) => (
                <rect key={`${s.key}-${p.bucket}`} data-series={s.key} x={scale.x(p.bucket)} width={scale.bandWidth - 2} y={scale.y(p.y1)} height={scale.y(p.y0) - scale.y(p.y1)} />
              )),
            )}
            {buckets.map((b, i) => (
              <text key={b.start} x={scale.x(i)} y={scale.height}>
                {b.label}
              </text>
            ))}
          </svg>
          <figcaption {...getSummaryProps()} />
        </figure>
      )}
    </UsageChart>
  );
}

describe('UsageChart', () => {
  it('has no axe violations; the SVG is an image described by the summary', async () => {
    const { container } = render(<Chart report={REPORT} />);
    expect(await axeViolations(container)).toEqual([]);
    const chart = screen.getByRole('img', { name: 'Usage by cost' });
    expect(document.getElementById(chart.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/^From Nov 1 to Nov 3: 16 requests/);
    expect(container.querySelectorAll('rect[data-series]')).toHaveLength(6);
  });

  it('fetches /usage with the query and shows loading, then the data', async () => {
    const seen: string[] = [];
    server.events.on('request:start', ({ request }) => seen.push(request.url));
    server.use(...aiuHandlers({ usage: REPORT, readDelayMs: 50 }));
    render(
      <AiuProvider>
        <Chart from="2026-11-01T00:00:00Z" to="2026-11-04T00:00:00Z" groupBy="model" metric="requests" />
      </AiuProvider>,
    );
    expect(screen.getByText('Loading usage…')).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('Loading usage…')).toBeNull());
    expect(screen.getByRole('img').getAttribute('data-state')).toBe('ready');
    const url = new URL(seen.find((u) => u.includes('/usage')) ?? '');
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: '2026-11-01T00:00:00Z', to: '2026-11-04T00:00:00Z', groupBy: 'model' });
  });

  it('shows the empty state and an error honestly', async () => {
    server.use(...aiuHandlers());
    const { unmount } = render(
      <AiuProvider>
        <Chart from="2026-11-01T00:00:00Z" to="2026-11-03T00:00:00Z" />
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getByText('No usage yet.')).toBeTruthy());
    expect(document.querySelectorAll('rect')).toHaveLength(0);
    unmount();
    server.use(...aiuHandlers({ readError: { status: 403, code: 'forbidden', message: 'Not allowed to read usage.' } }));
    render(
      <AiuProvider>
        <Chart from="2026-11-01T00:00:00Z" to="2026-11-03T00:00:00Z" />
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Not allowed to read usage.'));
  });
});

describe('useRequestLog', () => {
  it('pages through the log and builds export links', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({
      id: `req_${i}`, time: '2026-11-01T00:00:00.000Z', userId: null, projectId: null, provider: 'openai', model: 'openai:gpt-4o-mini',
      status: 'success' as const, errorCode: null, attempts: 1, inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0,
      reasoningTokens: 0, totalTokens: 2, estimated: false, cost: null, latencyMs: 10, ttftMs: null, queueMs: 0, attemptDetails: [], savedByCache: 0, metadata: null,
    }));
    server.use(...aiuHandlers({ logs: entries }));
    function Log() {
      const log = useRequestLog({ limit: 2, status: 'success' });
      return (
        <div>
          <ul aria-label="log">{log.entries.map((e) => <li key={e.id}>{e.id}</li>)}</ul>
          <button type="button" disabled={!log.hasNextPage} onClick={log.fetchNextPage}>
            more
          </button>
          <a href={log.exportUrl('csv')}>csv</a>
        </div>
      );
    }
    render(
      <AiuProvider>
        <Log />
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(2));
    await userEvent.click(screen.getByRole('button', { name: 'more' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(4));
    await userEvent.click(screen.getByRole('button', { name: 'more' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(5));
    expect((screen.getByRole('button', { name: 'more' }) as HTMLButtonElement).disabled).toBe(true);
    expect(new URL(screen.getByRole('link', { name: 'csv' }).getAttribute('href') ?? '').search).toBe('?status=success&format=csv');
  });
});
