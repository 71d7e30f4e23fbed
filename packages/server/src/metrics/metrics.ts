import { AiuError } from '@aiu/core';
import type { LogRecord } from '../log/types';

export interface MetricsOptions {
  /** Also export Node's process metrics (CPU, memory, event-loop lag, handles) on the same page. */
  process?: boolean;
}

/** `createAiu({ metrics })`: `true` for aiu's own series, or the options. */
export type MetricsOption = boolean | MetricsOptions;

type PromClient = typeof import('prom-client');
type Labels = 'provider' | 'model' | 'status';

// Seconds. LLM calls run from ~100 ms (a cached short answer) to minutes (long reasoning).
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 4, 8, 15, 30];

/** The token counts a record carries, by the `type` label they are exported under. */
const TOKEN_TYPES = [
  ['input', 'inputTokens'],
  ['output', 'outputTokens'],
  ['cached_input', 'cachedInputTokens'],
  ['cache_write', 'cacheWriteTokens'],
  ['reasoning', 'reasoningTokens'],
] as const satisfies ReadonlyArray<readonly [string, keyof LogRecord]>;

interface Series {
  registry: import('prom-client').Registry;
  requests: import('prom-client').Counter<Labels>;
  tokens: import('prom-client').Counter<'provider' | 'model' | 'type'>;
  cost: import('prom-client').Counter<'provider' | 'model'>;
  unpriced: import('prom-client').Counter<'provider' | 'model'>;
  latency: import('prom-client').Histogram<Labels>;
  ttft: import('prom-client').Histogram<'provider' | 'model'>;
}

/**
 * Prometheus series fed by the request log: every entry a call writes (success, error, aborted)
 * is counted once, at the moment it is written, so `/metrics` and `/usage` agree. prom-client is
 * an optional peer, loaded when the instance starts; entries written before it loaded are kept
 * and counted once it has.
 */
export class Metrics {
  private series: Series | undefined;
  private failure: AiuError | undefined;
  private early: LogRecord[] | undefined = [];
  readonly ready: Promise<void>;

  constructor(options: MetricsOptions, inFlight: () => number) {
    this.ready = import('prom-client').then(
      (prom) => {
        this.series = createSeries(prom, options, inFlight);
        for (const record of this.early ?? []) this.count(this.series, record);
        this.early = undefined;
      },
      () => {
        this.early = undefined;
        this.failure = new AiuError('not_implemented', 'createAiu({ metrics: true }) needs the prom-client package: npm install prom-client');
      },
    );
  }

  observe(record: LogRecord): void {
    if (this.series) this.count(this.series, record);
    else if (this.early && this.early.length < 10_000) this.early.push(record);
  }

  /** The exposition page and its content type. */
  async page(): Promise<{ text: string; contentType: string }> {
    await this.ready;
    if (!this.series) throw this.failure ?? new AiuError('not_implemented', 'Metrics are not available.');
    return { text: await this.series.registry.metrics(), contentType: this.series.registry.contentType };
  }

  private count(series: Series, record: LogRecord): void {
    const where = { provider: record.provider, model: record.model };
    const labels = { ...where, status: record.status };
    series.requests.inc(labels);
    series.latency.observe(labels, record.latencyMs / 1000);
    if (record.ttftMs !== null) series.ttft.observe(where, record.ttftMs / 1000);
    for (const [type, field] of TOKEN_TYPES) {
      const tokens = record[field];
      if (tokens > 0) series.tokens.inc({ ...where, type }, tokens);
    }
    if (record.costTotal === null) series.unpriced.inc(where);
    else if (record.costTotal > 0) series.cost.inc(where, record.costTotal);
  }
}

function createSeries(prom: PromClient, options: MetricsOptions, inFlight: () => number): Series {
  // Its own registry, not prom-client's global one: two aiu instances in one process must not collide.
  const registry = new prom.Registry();
  if (options.process) prom.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new prom.Gauge({
    name: 'aiu_requests_in_flight',
    help: 'Calls admitted and not yet finished.',
    registers,
    collect() {
      this.set(inFlight());
    },
  });
  return {
    registry,
    requests: new prom.Counter({ name: 'aiu_requests_total', help: 'Calls by outcome, as the request log records them.', labelNames: ['provider', 'model', 'status'], registers }),
    tokens: new prom.Counter({ name: 'aiu_tokens_total', help: 'Tokens by type (input, output, cached_input, cache_write, reasoning).', labelNames: ['provider', 'model', 'type'], registers }),
    cost: new prom.Counter({ name: 'aiu_cost_usd_total', help: 'What the calls cost, in US dollars, as the request log prices them.', labelNames: ['provider', 'model'], registers }),
    unpriced: new prom.Counter({ name: 'aiu_unpriced_requests_total', help: 'Calls whose cost is unknown (no price for one of their dimensions).', labelNames: ['provider', 'model'], registers }),
    latency: new prom.Histogram({ name: 'aiu_request_duration_seconds', help: 'Whole-call latency, queueing included.', labelNames: ['provider', 'model', 'status'], buckets: LATENCY_BUCKETS, registers }),
    ttft: new prom.Histogram({ name: 'aiu_time_to_first_token_seconds', help: 'Time to the first streamed token.', labelNames: ['provider', 'model'], buckets: TTFT_BUCKETS, registers }),
  };
}
