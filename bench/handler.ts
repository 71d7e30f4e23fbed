// Handler overhead: the fake upstream direct, aiu (toExpress, the bare Node bridge and its
// OpenAI-compatible endpoint, SQLite log on), Portkey's gateway and an Express route on the Vercel AI SDK — same upstream, same run.
import { percentile, median, type Benchmark, type Figure } from './stats';
import { cpuSeconds, load, type Running, startPortkey, startScript } from './procs';

const MESSAGES = [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }];

interface Target {
  name: string;
  start(upstream: string): Promise<Running>;
  request(server: Running, upstream: string, stream: boolean): { url: string; body: string; headers?: Record<string, string> };
}

const TARGETS: Target[] = [
  {
    name: 'upstream direct',
    start: async () => ({ url: '', pid: 0, stop: async () => {} }),
    request: (_s, upstream, stream) => ({ url: `${upstream}/v1/chat/completions`, body: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES, stream }) }),
  },
  {
    name: 'bare node:http proxy',
    start: (upstream) => startScript('servers/proxy.mjs', { UPSTREAM_URL: upstream }),
    request: (s, _u, stream) => ({ url: `${s.url}/chat`, body: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES, stream }) }),
  },
  {
    name: 'bare Express proxy',
    start: (upstream) => startScript('servers/express-proxy.mjs', { UPSTREAM_URL: upstream }),
    request: (s, _u, stream) => ({ url: `${s.url}/api/aiu/chat`, body: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES, stream }) }),
  },
  {
    name: 'aiu toExpress',
    start: (upstream) => startScript('servers/aiu.mjs', { UPSTREAM_URL: upstream, MODE: 'express' }),
    request: (s, _u, stream) => ({ url: `${s.url}/api/aiu/chat`, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: MESSAGES, stream }) }),
  },
  {
    name: 'aiu Node bridge',
    start: (upstream) => startScript('servers/aiu.mjs', { UPSTREAM_URL: upstream, MODE: 'node' }),
    request: (s, _u, stream) => ({ url: `${s.url}/chat`, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: MESSAGES, stream }) }),
  },
  {
    // The same Node bridge server, through the OpenAI-compatible endpoint (what OpenAI SDK clients call).
    name: 'aiu /v1/chat/completions',
    start: (upstream) => startScript('servers/aiu.mjs', { UPSTREAM_URL: upstream, MODE: 'node' }),
    request: (s, _u, stream) => ({
      url: `${s.url}/v1/chat/completions`,
      body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: MESSAGES, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
      headers: { authorization: `Bearer ${s.clientKey ?? ''}` },
    }),
  },
  {
    name: 'Portkey gateway',
    start: () => startPortkey(),
    request: (s, upstream, stream) => ({
      url: `${s.url}/v1/chat/completions`,
      body: JSON.stringify({ model: 'gpt-4.1-nano', messages: MESSAGES, stream }),
      headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1`, authorization: 'Bearer sk-bench-0000000000000000' },
    }),
  },
  {
    name: 'AI SDK route',
    start: (upstream) => startScript('servers/aisdk.mjs', { UPSTREAM_URL: upstream }),
    request: (s, _u, stream) => ({ url: `${s.url}/chat`, body: JSON.stringify({ messages: MESSAGES, stream }) }),
  },
];

const MODES = [
  { label: 'JSON c=1', stream: false, connections: 1 },
  { label: 'JSON c=50', stream: false, connections: 50 },
  { label: 'stream c=1', stream: true, connections: 1 },
  { label: 'stream c=50', stream: true, connections: 50 },
];

interface Cell {
  rps: number;
  p50: number;
  p99: number;
  ttfb50: number;
  cpuUsPerRequest: number | null;
  errors: number;
  errorKinds: Record<string, number>;
}

export const handlerBenchmark: Benchmark = {
  name: 'Handler overhead',
  async run({ quick, log }) {
    // Every target runs for the whole benchmark and the rounds visit them in turn, so a noisy
    // moment on this machine lands on all of them alike; figures are medians over the rounds.
    const rounds = quick ? 3 : 5;
    const roundMs = quick ? 400 : 2_500;
    const settleMs = quick ? 200 : 1_000;
    // V8 needs thousands of requests before a server's hot paths are optimised: aiu's JSON path
    // takes 3–4× the CPU per request over its first thousand calls that it takes once warm. Every
    // target first serves the same number of JSON calls and streams (or as many as fit the time cap),
    // so the rounds compare warm servers — what a long-running deployment is — not JIT warm-up.
    const warmup = quick ? { json: 6_000, jsonCapMs: 3_500, streams: 600, streamsCapMs: 1_500 } : { json: 20_000, jsonCapMs: 12_000, streams: 3_000, streamsCapMs: 12_000 };
    // The targets share core 0 (only the one under load is busy); the upstream shares core 1 with the load generator.
    const upstream = await startScript('servers/upstream.mjs', {}, '1');
    const servers = new Map<string, Running>();
    const cells = new Map<string, Cell>();
    try {
      for (const target of TARGETS) servers.set(target.name, await target.start(upstream.url));
      for (const target of TARGETS) {
        const server = servers.get(target.name) as Running;
        const json = await load({ ...target.request(server, upstream.url, false), connections: 50, durationMs: warmup.jsonCapMs, maxRequests: warmup.json });
        const streams = await load({ ...target.request(server, upstream.url, true), connections: 50, durationMs: warmup.streamsCapMs, maxRequests: warmup.streams });
        log(`warm-up ${target.name}: ${json.latencies.length} JSON calls, ${streams.latencies.length} streams${json.errors + streams.errors ? `, errors ${JSON.stringify({ ...json.errorKinds, ...streams.errorKinds })}` : ''}`);
      }
      for (const mode of MODES) {
        const samples = new Map<string, Cell[]>(TARGETS.map((t) => [t.name, []]));
        const jobOf = (target: Target) => target.request(servers.get(target.name) as Running, upstream.url, mode.stream);
        for (const target of TARGETS) await load({ ...jobOf(target), connections: mode.connections, durationMs: settleMs });
        for (let round = 0; round < rounds; round++) {
          for (const target of TARGETS) {
            const pid = (servers.get(target.name) as Running).pid || upstream.pid;
            const cpuBefore = cpuSeconds(pid);
            const result = await load({ ...jobOf(target), connections: mode.connections, durationMs: roundMs });
            const cpu = cpuSeconds(pid) - cpuBefore;
            const done = result.latencies.length;
            (samples.get(target.name) as Cell[]).push({
              rps: done / result.elapsed,
              p50: median(result.latencies),
              p99: percentile(result.latencies, 99),
              ttfb50: median(result.firstBytes),
              cpuUsPerRequest: done ? (cpu * 1e6) / done : null,
              errors: result.errors,
              errorKinds: result.errorKinds,
            });
          }
        }
        for (const target of TARGETS) {
          const runs = samples.get(target.name) as Cell[];
          const cpus = runs.map((r) => r.cpuUsPerRequest).filter((v): v is number => v !== null);
          const cell: Cell = {
            rps: median(runs.map((r) => r.rps)),
            p50: median(runs.map((r) => r.p50)),
            p99: median(runs.map((r) => r.p99)),
            ttfb50: median(runs.map((r) => r.ttfb50)),
            cpuUsPerRequest: cpus.length ? median(cpus) : null,
            errors: runs.reduce((sum, r) => sum + r.errors, 0),
            errorKinds: runs.reduce<Record<string, number>>((all, r) => {
              for (const [kind, count] of Object.entries(r.errorKinds)) all[kind] = (all[kind] ?? 0) + count;
              return all;
            }, {}),
          };
          cells.set(`${target.name}|${mode.label}`, cell);
          log(`${target.name} ${mode.label}: ${Math.round(cell.rps)} req/s, p50 ${cell.p50.toFixed(2)} ms, ${cell.errors} errors${cell.errors ? ` ${JSON.stringify(cell.errorKinds)}` : ''}`);
        }
      }
    } finally {
      for (const server of servers.values()) await server.stop();
      await upstream.stop();
    }

    const figures: Figure[] = [];
    for (const mode of MODES) {
      const direct = cells.get(`upstream direct|${mode.label}`) as Cell;
      const floor = cells.get(`bare node:http proxy|${mode.label}`) as Cell;
      for (const target of TARGETS) {
        const cell = cells.get(`${target.name}|${mode.label}`) as Cell;
        const isAiu = target.name.startsWith('aiu');
        figures.push({ name: `${mode.label} · ${target.name} · req/s`, value: cell.rps, unit: 'req/s', ...(target.name !== 'upstream direct' ? { ratio: { to: 'upstream direct', value: cell.rps / direct.rps } } : {}) });
        figures.push({ name: `${mode.label} · ${target.name} · p50`, value: cell.p50, unit: 'ms' });
        figures.push({ name: `${mode.label} · ${target.name} · p99`, value: cell.p99, unit: 'ms' });
        if (target.name !== 'upstream direct') {
          figures.push({
            name: `${mode.label} · ${target.name} · p50 added over direct`,
            value: cell.p50 - direct.p50,
            unit: 'ms',
            ...(isAiu && mode.label === 'JSON c=1' ? { goal: { value: 0.3, lowerIsBetter: true } } : {}),
          });
          // What aiu itself adds, whatever a loopback hop costs on this machine: over the bare proxy, which makes the same hops.
          if (isAiu) figures.push({ name: `${mode.label} · ${target.name} · p50 added over the bare proxy`, value: cell.p50 - floor.p50, unit: 'ms' });
          figures.push({
            name: `${mode.label} · ${target.name} · TTFB added over direct`,
            value: cell.ttfb50 - direct.ttfb50,
            unit: 'ms',
            // A latency goal, like the p50 one: at 50 closed-loop connections a server that is the
            // bottleneck (as aiu now is there) shows its queue here, whatever it adds per stream.
            ...(isAiu && mode.label === 'stream c=1' ? { goal: { value: 1, lowerIsBetter: true } } : {}),
          });
          if (cell.cpuUsPerRequest !== null) {
            figures.push({
              name: `${mode.label} · ${target.name} · process CPU per request`,
              value: cell.cpuUsPerRequest,
              unit: 'µs',
              ...(isAiu ? { goal: { value: mode.stream ? 1500 : 200, lowerIsBetter: true } } : {}),
              // Against the least any Node proxy spends on the same request, measured in this run.
              ...(floor.cpuUsPerRequest && target.name !== 'bare node:http proxy' ? { ratio: { to: 'bare node:http proxy', value: cell.cpuUsPerRequest / floor.cpuUsPerRequest } } : {}),
            });
          }
        }
        if (cell.errors) figures.push({ name: `${mode.label} · ${target.name} · errors`, value: cell.errors, unit: 'requests' });
      }
      const aiu = cells.get(`aiu Node bridge|${mode.label}`) as Cell;
      // What Express itself costs (the bare Express proxy over the bare Node one), added to the Node
      // bridge: toExpress should cost about that, and no more than 1.2× it.
      const express = cells.get(`aiu toExpress|${mode.label}`) as Cell;
      const expressProxy = cells.get(`bare Express proxy|${mode.label}`) as Cell;
      if (express.cpuUsPerRequest && aiu.cpuUsPerRequest && expressProxy.cpuUsPerRequest && floor.cpuUsPerRequest) {
        const expected = aiu.cpuUsPerRequest + (expressProxy.cpuUsPerRequest - floor.cpuUsPerRequest);
        figures.push({ name: `${mode.label} · Express's own cost (bare Express proxy − bare node:http proxy) · CPU per request`, value: expressProxy.cpuUsPerRequest - floor.cpuUsPerRequest, unit: 'µs' });
        figures.push({ name: `${mode.label} · aiu toExpress CPU vs Node bridge + Express's own cost`, value: express.cpuUsPerRequest / expected, unit: '×', goal: { value: 1.2, lowerIsBetter: true } });
      }
      const compatible = cells.get(`aiu /v1/chat/completions|${mode.label}`) as Cell;
      for (const peer of ['Portkey gateway', 'AI SDK route']) {
        const other = cells.get(`${peer}|${mode.label}`) as Cell;
        figures.push({ name: `${mode.label} · aiu Node bridge throughput vs ${peer}`, value: aiu.rps / other.rps, unit: '×', goal: { value: 5, lowerIsBetter: false } });
        figures.push({ name: `${mode.label} · aiu /v1/chat/completions throughput vs ${peer}`, value: compatible.rps / other.rps, unit: '×', ...(mode.connections === 50 ? { goal: { value: 5, lowerIsBetter: false } } : {}) });
      }
      // The translation onto OpenAI's wire should cost almost nothing over aiu's own protocol.
      if (compatible.cpuUsPerRequest && aiu.cpuUsPerRequest) {
        figures.push({ name: `${mode.label} · aiu /v1/chat/completions CPU vs aiu's own /chat`, value: compatible.cpuUsPerRequest / aiu.cpuUsPerRequest, unit: '×', goal: { value: 1.1, lowerIsBetter: true } });
      }
    }
    return figures;
  },
};
