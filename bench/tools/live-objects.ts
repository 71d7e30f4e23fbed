// Counts live objects by constructor in a server mid-load (a heap snapshot taken on SIGUSR2):
// `tsx bench/tools/live-objects.ts <server script> <json|stream> [names,…]`. At one connection a request's
// objects should number about one; hundreds means something keeps them.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load, startScript } from '../procs';

const [script = 'servers/aiu.mjs', kind = 'stream', names = ''] = process.argv.slice(2);
const dir = `/tmp/aiu-snap-${Date.now()}`;
mkdirSync(dir, { recursive: true });
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const child = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, isAbsolute(script) ? script : join(import.meta.dirname, '..', script)], {
  env: { ...process.env, NODE_ENV: 'production', UPSTREAM_URL: upstream.url, MODE: 'node' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => child.stdout.on('data', (c: Buffer) => { const l = c.toString().split('\n').find((x) => x.startsWith('{')); if (l) resolve(JSON.parse(l).url); }));
const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: kind === 'stream' });
await load({ url: `${url}/chat`, body: body.replace('"stream":true', '"stream":false'), connections: 50, durationMs: 8000, maxRequests: 10_000 });
const running = load({ url: `${url}/chat`, body, connections: 1, durationMs: 8000 });
await new Promise((r) => setTimeout(r, 5000));
child.kill('SIGUSR2');
await running;
await new Promise((r) => setTimeout(r, 4000));
child.kill('SIGTERM');
await upstream.stop();
const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
if (!file) throw new Error('no snapshot');
const snap = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
const fields = snap.snapshot.meta.node_fields;
const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
const types = snap.snapshot.meta.node_types[0];
const counts = new Map<string, { n: number; bytes: number }>();
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  if (types[snap.nodes[i + typeAt] as number] !== 'object') continue;
  const name = snap.strings[snap.nodes[i + nameAt] as number] as string;
  const entry = counts.get(name) ?? { n: 0, bytes: 0 };
  entry.n++;
  entry.bytes += snap.nodes[i + sizeAt] as number;
  counts.set(name, entry);
}
const wanted = names ? names.split(',') : ['ChatCall', 'CallRecorder', 'NodeRequest', 'PulledResponse', 'TextResponse', 'Abort', 'Aborter', 'ClientGone', 'BridgedRequest', 'DispatchedResponse', 'ServerResponse', 'IncomingMessage', 'Timeout', 'CallContext', 'ProviderEventStream', 'LightHeaders', 'NodeHeaders'];
for (const name of wanted) console.log(`${String(counts.get(name)?.n ?? 0).padStart(7)}  ${name}`);
console.log('largest by count:', [...counts].sort((a, b) => b[1].n - a[1].n).slice(0, 15).map(([k, v]) => `${k}×${v.n}`).join(', '));
rmSync(dir, { recursive: true, force: true });
process.exit(0);
