// Which code allocates what ends up in the old generation: `tsx bench/tools/old-garbage.ts <server script> [stream|json]`.
// Warms the server as bench:ab does, then samples allocations during streams (or JSON calls) at one connection
// (heap-sampler.mjs) and prints the allocating functions by bytes sampled, per call.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load, startScript } from '../procs';

const script = process.argv[2] ?? 'servers/aiu.mjs';
const streamed = (process.argv[3] ?? 'stream') === 'stream';
const out = `/tmp/aiu-heap-${Date.now()}.json`;
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const started = Date.now();
const child = spawn('taskset', ['-c', '0', process.execPath, '--import', join(import.meta.dirname, 'heap-sampler.mjs'), isAbsolute(script) ? script : join(import.meta.dirname, '..', script)], {
  env: { ...process.env, NODE_ENV: 'production', UPSTREAM_URL: upstream.url, MODE: 'node', SAMPLE_START_MS: '28000', SAMPLE_MS: '8000', SAMPLE_OUT: out },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => child.stdout.on('data', (c: Buffer) => { const l = c.toString().split('\n').find((x) => x.startsWith('{')); if (l) resolve((JSON.parse(l) as { url: string }).url); }));
const body = (stream: boolean) => JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream });
await load({ url: `${url}/chat`, body: body(false), connections: 50, durationMs: 12_000, maxRequests: 20_000 });
await load({ url: `${url}/chat`, body: body(true), connections: 50, durationMs: 12_000, maxRequests: 3_000 });
const left = 28_000 - (Date.now() - started);
if (left > 0) await load({ url: `${url}/chat`, body: body(streamed), connections: 1, durationMs: left });
const measured = await load({ url: `${url}/chat`, body: body(streamed), connections: 1, durationMs: 8_500 });
await new Promise((r) => setTimeout(r, 1500));
child.kill('SIGTERM');
await upstream.stop();
interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[]; id: number }
const profile = JSON.parse(readFileSync(out, 'utf8')) as { head: Node; samples: Array<{ size: number; nodeId: number }> };
const byNode = new Map<number, number>();
for (const sample of profile.samples) byNode.set(sample.nodeId, (byNode.get(sample.nodeId) ?? 0) + sample.size);
const totals = new Map<string, number>();
const walk = (node: Node, path: string[]) => {
  const frame = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`;
  const here = [...path, frame];
  const bytes = byNode.get(node.id) ?? 0;
  if (bytes) {
    const key = here.slice(-3).reverse().join(' ← ');
    totals.set(key, (totals.get(key) ?? 0) + bytes);
  }
  for (const child of node.children) walk(child, here);
};
walk(profile.head, []);
const calls = measured.latencies.length;
console.log(`${calls} ${streamed ? 'streams' : 'JSON calls'} sampled; bytes that died in a major GC, per call, by allocating stack (innermost first):`);
for (const [key, bytes] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25))) console.log(`${(bytes / calls).toFixed(0).padStart(7)} B  ${key}`);
process.exit(0);
