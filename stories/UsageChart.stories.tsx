import { formatMetric, UsageChart, type UsageChartProps, type UsageMetric } from '@aiu/react';
import { useState } from 'react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { REPORT } from './data';

const COLORS = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1'];

function Chart({ legend = false, ...props }: Omit<UsageChartProps, 'children'> & { legend?: boolean }) {
  return (
    <UsageChart {...props}>
      {({ series, buckets, ticks, scale, isLoading, isEmpty, error, metric, getChartProps, getSummaryProps }) => (
        <figure className="chart">
          {error ? <p className="error">{error.message}</p> : null}
          {isLoading ? <p className="muted">Loading usage…</p> : null}
          {isEmpty && !isLoading && !error ? <p className="muted">No requests in this period yet.</p> : null}
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
                <rect key={`${s.key}-${p.bucket}`} data-series={s.key} x={scale.x(p.bucket) + 4} width={Math.max(0, scale.bandWidth - 8)} y={scale.y(p.y1)} height={Math.max(0, scale.y(p.y0) - scale.y(p.y1))} fill={COLORS[i % COLORS.length]} />
              )),
            )}
            {buckets.map((b, i) => (
              <text key={b.start} x={scale.x(i) + scale.bandWidth / 2} y={scale.height - 6} textAnchor="middle" className="tick">
                {b.label}
              </text>
            ))}
          </svg>
          {legend ? (
            <ul className="legend" aria-label="Legend">
              {series.map((s, i) => (
                <li key={s.key}>
                  <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} /> {s.key}: {formatMetric(s.total, metric)}
                </li>
              ))}
            </ul>
          ) : null}
          <figcaption {...getSummaryProps({ className: 'muted' })} />
        </figure>
      )}
    </UsageChart>
  );
}

const meta: Meta<typeof Chart> = {
  title: 'Components/UsageChart',
  component: Chart,
  args: { from: '2026-11-16T00:00:00Z', to: '2026-11-23T00:00:00Z', granularity: 'day', groupBy: 'model', metric: 'cost' },
  parameters: { msw: { handlers: aiuHandlers({ usage: REPORT }) } },
};
export default meta;
type Story = StoryObj<typeof Chart>;

export const Default: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByRole('img', { name: 'Usage by cost' })).toHaveAttribute('data-state', 'ready'));
    await expect(canvasElement.querySelectorAll('rect[data-series]').length).toBe(14);
  },
};

export const Requests: Story = { args: { metric: 'requests' } };

export const Latency: Story = { args: { metric: 'latency' } };

export const Controlled: Story = { args: { report: REPORT, metric: 'tokens' } };

export const Loading: Story = { parameters: { msw: { handlers: aiuHandlers({ usage: REPORT, readDelayMs: 600_000 }) } } };

export const Empty: Story = {
  parameters: { msw: { handlers: aiuHandlers() } },
  play: async ({ canvasElement }) => {
    await waitFor(() => expect(within(canvasElement).getByText('No requests in this period yet.')).toBeInTheDocument());
    await expect(canvasElement.querySelectorAll('rect[data-series]').length).toBe(0);
  },
};

export const ErrorState: Story = {
  name: 'Error',
  parameters: { msw: { handlers: aiuHandlers({ readError: { status: 403, code: 'forbidden', message: 'Not allowed to read usage.' } }) } },
};

export const LatencyP95: Story = { args: { metric: 'latencyP95' } };

const METRICS: Array<[UsageMetric, string]> = [
  ['cost', 'Cost'],
  ['tokens', 'Tokens'],
  ['requests', 'Requests'],
  ['latency', 'Latency p50'],
  ['latencyP95', 'Latency p95'],
];

/** A dashboard's controls driving the chart: metric, granularity and grouping, with a legend of each series' total. */
function WithControls() {
  const [metric, setMetric] = useState<UsageMetric>('cost');
  const [groupBy, setGroupBy] = useState<'model' | 'provider'>('model');
  return (
    <div>
      <div className="controls" role="group" aria-label="Chart controls">
        <label>
          Show{' '}
          <select value={metric} onChange={(event) => setMetric(event.target.value as UsageMetric)}>
            {METRICS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by{' '}
          <select value={groupBy} onChange={(event) => setGroupBy(event.target.value as 'model' | 'provider')}>
            <option value="model">Model</option>
            <option value="provider">Provider</option>
          </select>
        </label>
      </div>
      <Chart from="2026-11-16T00:00:00Z" to="2026-11-23T00:00:00Z" granularity="day" groupBy={groupBy} metric={metric} legend />
    </div>
  );
}

export const WithLegendAndControls: Story = {
  render: () => <WithControls />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByRole('img', { name: 'Usage by cost' })).toHaveAttribute('data-state', 'ready'));
    await expect(canvas.getByRole('list', { name: 'Legend' }).textContent).toMatch(/\$/);
    await userEvent.selectOptions(canvas.getByLabelText('Show'), 'latencyP95');
    await waitFor(() => expect(canvas.getByRole('img', { name: 'Usage by latencyP95' })).toBeInTheDocument());
  },
};

export const AllStates: Story = {
  render: () => (
    <div className="states">
      <section aria-label="Cost">
        <h3>Cost by model</h3>
        <Chart report={REPORT} metric="cost" />
      </section>
      <section aria-label="Empty">
        <h3>Empty</h3>
        <Chart report={{ ...REPORT, buckets: REPORT.buckets.map((b) => ({ ...b, groups: {} })), groups: {}, totals: { ...REPORT.totals, requests: 0, cost: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, errors: 0, errorRate: 0 } }} metric="cost" />
      </section>
    </div>
  ),
};
