// Who keeps a call's data alive: `tsx bench/tools/retainers.ts <server script> <text to find> [paths] [stream|json]`.
// Takes a heap snapshot mid-load (streams or JSON calls at one connection, after the usual warm-up) and prints,
// for strings that contain the text, the chain of objects that retains them, up to a GC root.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load, startScript } from '../procs';

const [script = 'servers/aiu.mjs', needle = 'chat.completion.chunk', many = '6', kind = 'stream'] = process.argv.slice(2);
const dir = `/tmp/aiu-snap-${Date.now()}`;
mkdirSync(dir, { recursive: true });
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const child = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, isAbsolute(script) ? script : join(import.meta.dirname, '..', script)], {
  env: { ...process.env, NODE_ENV: 'production', UPSTREAM_URL: upstream.url, MODE: 'node' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => child.stdout.on('data', (c: Buffer) => { const l = c.toString().split('\n').find((x) => x.startsWith('{')); if (l) resolve((JSON.parse(l) as { url: string }).url); }));
const body = (stream: boolean) => JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream });
await load({ url: `${url}/chat`, body: body(false), connections: 50, durationMs: 12_000, maxRequests: 20_000 });
await load({ url: `${url}/chat`, body: body(true), connections: 50, durationMs: 12_000, maxRequests: 3_000 });
const running = load({ url: `${url}/chat`, body: body(kind === 'stream'), connections: 1, durationMs: 6000 });
await new Promise((r) => setTimeout(r, 4000));
child.kill('SIGUSR2');
await running;
await new Promise((r) => setTimeout(r, 5000));
child.kill('SIGTERM');
await upstream.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
if (!file) throw new Error('no snapshot');
interface Snapshot { snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } }; nodes: number[]; edges: number[]; strings: string[] }
const snap = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Snapshot;
rmSync(dir, { recursive: true, force: true });
const nf = snap.snapshot.meta.node_fields.length;
const ef = snap.snapshot.meta.edge_fields.length;
const [nType, nName, nEdges] = ['type', 'name', 'edge_count'].map((f) => snap.snapshot.meta.node_fields.indexOf(f)) as [number, number, number];
const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => snap.snapshot.meta.edge_fields.indexOf(f)) as [number, number, number];
const nodeTypes = snap.snapshot.meta.node_types[0];
const edgeTypes = snap.snapshot.meta.edge_types[0];
const count = snap.nodes.length / nf;
const retainers: Array<Array<[number, string]>> = Array.from({ length: count }, () => []);
let edge = 0;
for (let n = 0; n < count; n++) {
  const edges = snap.nodes[n * nf + nEdges] as number;
  for (let k = 0; k < edges; k++, edge += ef) {
    const type = edgeTypes[snap.edges[edge + eType] as number];
    if (type === 'weak') continue;
    const raw = snap.edges[edge + eName] as number;
    const label = type === 'element' || type === 'hidden' ? `[${raw}]` : (snap.strings[raw] ?? '?');
    retainers[(snap.edges[edge + eTo] as number) / nf]?.push([n, `${type}:${label}`]);
  }
}
const describe = (n: number) => `${nodeTypes[snap.nodes[n * nf + nType] as number]} ${(snap.strings[snap.nodes[n * nf + nName] as number] ?? '').slice(0, 50).replace(/\n/g, '\\n')}`;
const hits: number[] = [];
for (let n = 0; n < count && hits.length < 2000; n++) {
  const type = nodeTypes[snap.nodes[n * nf + nType] as number];
  if ((type === 'string' || type === 'concatenated string' || type === 'sliced string') && (snap.strings[snap.nodes[n * nf + nName] as number] ?? '').includes(needle)) hits.push(n);
}
console.log(`${hits.length} strings contain ${JSON.stringify(needle)}`);
for (const start of hits.slice(0, Number(many))) {
  const path: string[] = [describe(start)];
  let at = start;
  const seen = new Set([at]);
  for (let depth = 0; depth < Number(process.env.DEPTH ?? 14); depth++) {
    const next = retainers[at]?.find(([from]) => !seen.has(from));
    if (!next) break;
    path.push(`  ← ${next[1]} of ${describe(next[0])}`);
    at = next[0];
    seen.add(at);
  }
  console.log(path.join('\n'));
}
process.exit(0);
