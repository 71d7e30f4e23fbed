// Tool calls: (1) a streamed tool call through aiu against a text stream of the same length —
// process CPU per request of the aiu server (Node bridge, SQLite log); (2) what the step loop itself
// costs per model ↔ server-tool round trip, beyond the provider call (servers/step-loop.mjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { cpuSeconds, load, pinned, startScript } from './procs';
import { median, type Benchmark, type Figure } from './stats';

const RECORD_TOOL = {
  record: { description: 'Records a text', inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
};
const here = dirname(fileURLToPath(import.meta.url));

function chatBody(content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content }], ...extra });
}

/** A benchmark that measures the wrong thing is worse than none: check each stream says what we think. */
async function expectStream(url: string, body: string, check: (text: string) => boolean, what: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (response.status !== 200 || !check(text)) throw new Error(`${what}: unexpected answer ${response.status} ${text.slice(0, 400)}`);
}

async function streamVersusText(upstreamUrl: string, quick: boolean, log: (message: string) => void): Promise<Figure[]> {
  const aiu = await startScript('servers/aiu.mjs', { UPSTREAM_URL: upstreamUrl, MODE: 'node' });
  try {
    const url = `${aiu.url}/chat`;
    const bodies = { text: chatBody('text', { tools: RECORD_TOOL }), tool: chatBody('tool', { tools: RECORD_TOOL }) };
    await expectStream(url, bodies.text, (t) => t.includes('event: delta') && t.includes('"finishReason":"stop"') && !t.includes('event: tool-call'), 'text stream');
    await expectStream(url, bodies.tool, (t) => (t.match(/event: tool-input-delta/g)?.length ?? 0) > 250 && /event: tool-call\ndata: \{[^\n]*"input":\{"text":"\*\*Holiday/.test(t), 'tool-call stream');
    const rounds = quick ? 3 : 7;
    const roundMs = quick ? 500 : 2_000;
    await load({ url, body: bodies.text, connections: 50, durationMs: quick ? 1_500 : 6_000, maxRequests: quick ? 600 : 3_000 });
    await load({ url, body: bodies.tool, connections: 50, durationMs: quick ? 1_500 : 6_000, maxRequests: quick ? 600 : 3_000 });
    const figures: Figure[] = [];
    for (const connections of [1, 50]) {
      const cpu: Record<'text' | 'tool', number[]> = { text: [], tool: [] };
      for (let round = 0; round < rounds; round++) {
        for (const kind of ['text', 'tool'] as const) {
          const before = cpuSeconds(aiu.pid);
          const result = await load({ url, body: bodies[kind], connections, durationMs: roundMs });
          if (result.errors) throw new Error(`${kind} stream c=${connections}: ${result.errors} errors ${JSON.stringify(result.errorKinds)}`);
          cpu[kind].push(((cpuSeconds(aiu.pid) - before) * 1e6) / result.latencies.length);
        }
      }
      const text = median(cpu.text);
      const tool = median(cpu.tool);
      log(`c=${connections}: text stream ${text.toFixed(0)} µs, tool-call stream ${tool.toFixed(0)} µs CPU per request`);
      figures.push(
        { name: `stream c=${connections} · 300-chunk text stream · aiu CPU per request`, value: text, unit: 'µs' },
        { name: `stream c=${connections} · the same stream as one tool call's arguments · aiu CPU per request`, value: tool, unit: 'µs', ratio: { to: 'text stream', value: tool / text } },
        { name: `stream c=${connections} · tool-call stream CPU vs text stream of the same length`, value: tool / text, unit: '×', goal: { value: 1.2, lowerIsBetter: true } },
      );
    }
    return figures;
  } finally {
    await aiu.stop();
  }
}

/**
 * aiu's server as tsup builds it (esbuild, bundled, no keepNames — tsx's keepNames wraps every
 * closure and would inflate exactly the per-step work measured), plus its provider registry.
 */
async function bundleServer(dir: string): Promise<string> {
  const entry = join(dir, 'entry.ts');
  const source = join(here, '../packages/server/src');
  writeFileSync(entry, `export { createAiu } from '${source}/index';\nexport { sqliteStore } from '${source}/sqlite';\nexport { ProviderRegistry } from '${source}/providers/registry';\nexport { ProviderEventStream } from '${source}/providers/eventStream';\n`);
  const outfile = join(dir, 'server.mjs');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3', 'pg', 'ioredis'], absWorkingDir: join(here, '../packages/server'), logLevel: 'error' });
  return outfile;
}

function runToEnd(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = pinned(process.execPath, [join(here, script)], '0', { ...process.env, NODE_ENV: 'production', ...env });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}: ${err.slice(0, 1000)}`))));
  });
}

async function stepLoop(upstreamUrl: string, quick: boolean, log: (message: string) => void): Promise<Figure[]> {
  const steps = 8;
  // Inside the server package, so the bundle finds its dependencies as an install would (undici,
  // which upstream calls go through on Node, and better-sqlite3).
  const dir = mkdtempSync(join(here, '../packages/server/.bench-bundle-'));
  try {
    const bundle = await bundleServer(dir);
    const output = await runToEnd('servers/step-loop.mjs', { STEP_BUNDLE: bundle, UPSTREAM_URL: upstreamUrl, STEPS: String(steps), COUNT: String(quick ? 200 : 800), ROUNDS: String(quick ? 3 : 9) });
    const samples = JSON.parse(output.trim().split('\n').at(-1) as string) as Record<'http' | 'memory', Record<'one' | 'many', number[]>>;
    const perStep = (way: 'http' | 'memory') => (median(samples[way].many) - median(samples[way].one)) / (steps - 1);
    const loopCost = perStep('memory');
    log(`HTTP provider: 1-step ${median(samples.http.one).toFixed(0)} µs, ${steps}-step ${median(samples.http.many).toFixed(0)} µs; replayed provider: 1-step ${median(samples.memory.one).toFixed(0)} µs, ${steps}-step ${median(samples.memory.many).toFixed(0)} µs`);
    return [
      { name: `${steps}-step chat call (${steps - 1} server-tool round trips, then the answer), OpenAI adapter over HTTP · CPU`, value: median(samples.http.many), unit: 'µs' },
      { name: '1-step chat call (server tool offered, the same answer), OpenAI adapter over HTTP · CPU', value: median(samples.http.one), unit: 'µs' },
      { name: 'each extra step, provider call included (request, HTTP, stream parse) · CPU', value: perStep('http'), unit: 'µs' },
      // The same calls with the adapter's recorded events replayed from memory: what is left is the loop's own.
      { name: 'step loop · CPU per step beyond the provider call', value: loopCost, unit: 'µs', goal: { value: 50, lowerIsBetter: true }, ratio: { to: 'the step with its provider call', value: loopCost / perStep('http') } },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const toolCallsBenchmark: Benchmark = {
  name: 'Tool calls',
  async run({ quick, log }) {
    const upstream = await startScript('servers/tool-upstream.mjs', {}, '1');
    try {
      return [...(await streamVersusText(upstream.url, quick, log)), ...(await stepLoop(upstream.url, quick, log))];
    } finally {
      await upstream.stop();
    }
  },
};
