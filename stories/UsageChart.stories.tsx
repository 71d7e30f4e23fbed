import { UsageChart, type UsageChartProps } from '@aiu/react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, waitFor, within } from 'storybook/test';
import { REPORT } from './data';

const COLORS = ['#0d6efd', '#20c997', '#fd7e14', '#6f42c1'];

function Chart(props: Omit<UsageChartProps, 'children'>) {
  return (
    <UsageChart {...props}>
      {({ series, buckets, ticks, scale, isLoading, isEmpty, error, getChartProps, getSummaryProps }) => (
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
