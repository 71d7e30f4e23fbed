// The step loop's own CPU, in one process, on a build like the published one (STEP_BUNDLE: aiu's
// server bundled by esbuild, with its provider registry reachable). The OpenAI adapter first
// answers from the fake upstream (Groq's recorded `weather` call, Mistral's recorded answer); then
// the same events, as the adapter parsed them, are replayed from memory, so what remains of a
// step's CPU is the loop's own: guards, events, tool run, accounting, conversation. Prints µs of
// CPU per call for a 1-step call and an N-step call (N − 1 server-tool round trips, then the same
// answer), both ways.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { createAiu, sqliteStore, ProviderRegistry, ProviderEventStream } = await import(process.env.STEP_BUNDLE);
const upstream = process.env.UPSTREAM_URL;
const steps = Number(process.env.STEPS);
const count = Number(process.env.COUNT);
const rounds = Number(process.env.ROUNDS);
const API_KEY = 'sk-bench-0000000000000000';
const WEATHER = { description: 'Current weather', inputSchema: { type: 'object', properties: {} } };
const providers = { openai: { baseURL: `${upstream}/v1`, apiKey: API_KEY } };

// The adapter's events for a tool step and for the answer, from the recordings over HTTP.
const real = new ProviderRegistry(providers).get('openai');
async function eventsOf(content) {
  const batches = [];
  const request = { model: 'gpt-4.1-nano', messages: [{ role: 'user', content }], options: {}, tools: [{ name: 'weather', ...WEATHER }] };
  const stream = await real.stream(request, { apiKey: API_KEY, signal: new AbortController().signal });
  // The adapter's batches (one per network read), as the orchestrator takes them.
  for await (const batch of { [Symbol.asyncIterator]: () => stream.batches() }) batches.push(batch);
  return batches;
}
const recorded = { toolStep: await eventsOf('steps=99'), answer: await eventsOf('steps=1') };
if (!recorded.toolStep.flat().some((event) => event.type === 'tool-call')) throw new Error('the recorded tool step made no tool call');

/** The same provider, answering from memory: a tool call until the conversation holds N − 1 results. */
function replaying(provider) {
  return Object.assign(Object.create(provider), {
    async stream(request) {
      const results = request.messages.filter((message) => message.role === 'tool').length;
      const wanted = Number(/steps=(\d+)/.exec(request.messages[0]?.content ?? '')?.[1] ?? 1);
      const batches = results < wanted - 1 ? recorded.toolStep : recorded.answer;
      return new ProviderEventStream(
        (async function* () {
          // Fresh event objects each time, as a parser makes them.
          for (const batch of batches) yield batch.map((event) => ({ ...event }));
        })(),
      );
    },
  });
}

function createBench(replay) {
  const dir = mkdtempSync(join(tmpdir(), 'aiu-bench-steps-'));
  const get = ProviderRegistry.prototype.get;
  // createAiu builds its registry inside, so the bench swaps providers through the prototype (until close).
  if (replay) ProviderRegistry.prototype.get = function (id) { return replaying(get.call(this, id)); };
  const aiu = createAiu({ store: sqliteStore({ path: join(dir, 'aiu.db') }), env: {}, keyring: false, logger: { warn() {} }, providers, tools: { weather: { ...WEATHER, execute: () => ({ temperatureC: 21 }) } } });
  const close = () => {
    ProviderRegistry.prototype.get = get;
    return aiu.close();
  };
  const chat = async (content) => {
    const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content }], maxSteps: steps });
    const response = await aiu.handler(new Request('http://aiu.local/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    return response.text();
  };
  return { aiu, close, dir, one: () => chat('steps=1'), many: () => chat(`steps=${steps}`) };
}

async function cpuPerCall(run, times) {
  const before = process.cpuUsage();
  for (let i = 0; i < times; i++) await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / times;
}

const samples = {};
for (const [name, replay] of [['http', false], ['memory', true]]) {
  const bench = createBench(replay);
  await bench.aiu.store();
  // A benchmark of the wrong thing is worse than none: the N-step call must run N − 1 tools.
  const loop = await bench.many();
  const results = loop.match(/event: tool-result/g)?.length ?? 0;
  if (results !== steps - 1 || !loop.includes(`"steps":${steps}`)) throw new Error(`the ${steps}-step call ran ${results} tools: ${loop.slice(0, 300)}`);
  // Warm both paths first, so the rounds compare optimised code.
  await cpuPerCall(bench.one, count * 2);
  await cpuPerCall(bench.many, count);
  samples[name] = { one: [], many: [] };
  for (let round = 0; round < rounds; round++) {
    samples[name].one.push(await cpuPerCall(bench.one, count));
    samples[name].many.push(await cpuPerCall(bench.many, Math.ceil(count / 4)));
  }
  await bench.close();
  rmSync(bench.dir, { recursive: true, force: true });
}
console.log(JSON.stringify(samples));
