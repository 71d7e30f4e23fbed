// Profiles one aiu server under one load: `tsx bench/tools/profile.ts <server script> <json|stream> <connections> [seconds]`.
// INCLUSIVE=1 adds the time under each of aiu's functions (callees included).
// UNDER=<function> splits the time under one function by the leaf functions that spent it.
// Prints the functions with the most self time (from V8's --cpu-prof), to compare two builds.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { load, startScript } from '../procs';

const [script = 'servers/aiu.mjs', kind = 'stream', connections = '1', seconds = '8'] = process.argv.slice(2);
const dir = `/tmp/aiu-prof-${Date.now()}`;
process.env.BENCH_PROFILE = script;
process.env.BENCH_PROFILE_DIR = dir;
const upstream = await startScript(process.env.UPSTREAM_SCRIPT ?? 'servers/upstream.mjs', {}, '1');
const server = await startScript(script, { UPSTREAM_URL: upstream.url, MODE: process.env.MODE ?? 'node' });
// BODY replaces the request (e.g. a tool call against servers/tool-upstream.mjs, given as UPSTREAM_SCRIPT).
const body = process.env.BODY ?? JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: kind === 'stream' });
// URL_PATH profiles another route on the same server (e.g. /v1/chat/completions).
const url = `${server.url}${process.env.MODE === 'express' ? '/api/aiu' : ''}${process.env.URL_PATH ?? '/chat'}`;
// As `pnpm bench` and `bench:ab` warm a server: JSON calls first, then streams (shared code meets both).
// The /v1 and /ui routes need the client key the server issued at start.
const headers: Record<string, string> = server.clientKey ? { authorization: `Bearer ${server.clientKey}` } : {};
if (process.env.WARM_JSON) await load({ url, body: body.replace('"stream":true', '"stream":false'), headers, connections: 50, durationMs: 12_000, maxRequests: 20_000 });
await load({ url, body, headers, connections: 50, durationMs: 6000 });
const result = await load({ url, body, headers, connections: Number(connections), durationMs: Number(seconds) * 1000 });
await server.stop();
await upstream.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
};
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byName = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url: source, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${source.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  byName.set(key, (byName.get(key) ?? 0) + (self.get(node.id) ?? 0));
}
const total = [...byName.values()].reduce((a, b) => a + b, 0);
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const source = node.callFrame.url;
  const area = !source ? node.callFrame.functionName || '(native)' : source.includes('/packages/') || source.includes('/dist/') ? `aiu ${source.split('/').slice(-1)[0]}` : source.includes('node_modules') ? `dep ${source.split('node_modules/').pop()?.split('/').slice(0, 2).join('/')}` : 'node internals';
  byArea.set(area, (byArea.get(area) ?? 0) + (self.get(node.id) ?? 0));
}
const idle = byArea.get('(idle)') ?? 0;
console.log(`busy: ${((total - idle) / result.latencies.length).toFixed(1)} µs per request (main thread, GC included)`);
console.log('by area (µs per request):');
for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`${(us / result.latencies.length).toFixed(1).padStart(8)}  ${area}`);
console.log(`${result.latencies.length} requests; µs of self time per request, top 90:`);
for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 90)) {
  console.log(`${(us / result.latencies.length).toFixed(1).padStart(8)}  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}
if (process.env.INCLUSIVE) {
  // Time under each function (its callees included, each sample counted once per function): where a
  // request's constant costs sit, which self time spreads over many small callees.
  const parent = new Map<number, number>();
  for (const node of profile.nodes as Array<{ id: number; children?: number[] }>) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodeById.get(at)?.callFrame;
      if (!frame || !frame.url.includes('/dist/')) continue;
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    }
  });
  console.log('aiu functions by time under them (µs per request):');
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log(`${(us / result.latencies.length).toFixed(1).padStart(8)}  ${name}`);
}
if (process.env.UNDER) {
  // UNDER=<function name> splits the time under one function by the leaf that spent it
  // (native work such as a write's conversion shows here, not under any aiu function).
  const parent = new Map<number, number>();
  for (const node of profile.nodes as Array<{ id: number; children?: number[] }>) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const keyOf = (frame: { functionName: string; url: string; lineNumber: number }) => `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  const leaves = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodeById.get(at)?.callFrame;
      if (frame?.functionName !== process.env.UNDER) continue;
      const leaf = nodeById.get(id)?.callFrame;
      const up = nodeById.get(parent.get(id) ?? -1)?.callFrame;
      const name = leaf && (process.env.UNDER_PARENT && up ? `${keyOf(up)} > ${keyOf(leaf)}` : keyOf(leaf));
      if (name) leaves.set(name, (leaves.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
      break;
    }
  });
  console.log(`self time under ${process.env.UNDER} (µs per request):`);
  for (const [name, us] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(us / result.latencies.length).toFixed(1).padStart(8)}  ${name}`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(0);
