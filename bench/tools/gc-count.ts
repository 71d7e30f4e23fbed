// Young-generation collections per request for one server under one load: `tsx bench/tools/gc-count.ts <server script> <json|stream>`.
// Scavenges come at a fixed young-generation size, so their count per request tracks the bytes a request allocates.
import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { cpuSeconds, load, startScript } from '../procs';

const [script = 'servers/aiu.mjs', kind = 'stream'] = process.argv.slice(2);
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const child = spawn('taskset', ['-c', '0', process.execPath, ...(process.env.EXTRA_FLAGS ? process.env.EXTRA_FLAGS.split(' ') : []), '--trace-gc', ...(process.env.TRACE_NVP ? ['--trace-gc-nvp'] : []), ...(process.env.TRACE_OPT ? ['--trace-opt', '--trace-deopt'] : []), isAbsolute(script) ? script : join(import.meta.dirname, '..', script)], {
  env: { ...process.env, NODE_ENV: 'production', UPSTREAM_URL: upstream.url, MODE: 'node' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let scavenges = 0;
let optimized = 0;
let deopts = 0;
const deoptNames = new Map<string, number>();
const optimizedNames = new Map<string, number>();
let marks = 0;
let buffered = '';
let measuring = false;
let promoted = 0;
const url = await new Promise<string>((resolve) => {
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.startsWith('{')) resolve((JSON.parse(line) as { url: string }).url);
      if (process.env.SHOW_LINES && new RegExp(process.env.SHOW_LINES).test(line)) console.log(line);
      if (line.includes('Scavenge')) scavenges++;
      const promotedMatch = / promoted=(\d+)/.exec(line);
      if (promotedMatch && measuring) promoted += Number(promotedMatch[1]);
      if (line.includes('completed compiling') || line.includes('completed optimizing')) {
        optimized++;
        const name = /<JSFunction ([^ >]+)/.exec(line)?.[1] ?? '?';
        if (measuring) optimizedNames.set(name, (optimizedNames.get(name) ?? 0) + 1);
      }
      if (line.includes('bailout (kind:') || line.includes('deoptimizing')) {
        deopts++;
        const name = /<JSFunction ([^ >]+)/.exec(line)?.[1] ?? '?';
        if (measuring) deoptNames.set(name, (deoptNames.get(name) ?? 0) + 1);
      }
      if (line.includes('Mark-Compact') || line.includes('Mark-sweep')) {
        marks++;
        if (process.env.SHOW_GC) console.log(line);
      }
    }
  });
});
const body = (stream: boolean) => JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream });
if (!process.env.NO_JSON_WARMUP) await load({ url: `${url}/chat`, body: body(false), connections: 50, durationMs: 12_000, maxRequests: 20_000 });
await load({ url: `${url}/chat`, body: body(true), connections: 50, durationMs: 12_000, maxRequests: 3_000 });
const [s0, m0, o0, d0] = [scavenges, marks, optimized, deopts];
measuring = true;
const cpu0 = cpuSeconds(child.pid as number);
const result = await load({ url: `${url}/chat`, body: body(kind === 'stream'), connections: 1, durationMs: 10_000 });
const n = result.latencies.length;
const cpuUs = ((cpuSeconds(child.pid as number) - cpu0) * 1e6) / n;
console.log(`${n} ${kind} requests, ${cpuUs.toFixed(0)} µs CPU each: ${(((scavenges - s0) / n) * 1000).toFixed(1)} scavenges and ${(((marks - m0) / n) * 1000).toFixed(2)} mark-compacts per 1,000`);
if (process.env.TRACE_NVP) console.log(`promoted while measured: ${(promoted / n / 1024).toFixed(2)} kB per request`);
if (process.env.TRACE_OPT) console.log(`optimised while measured: ${[...optimizedNames].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([f, c]) => `${f}×${c}`).join(', ')}`);
if (process.env.TRACE_OPT) console.log(`while measured: ${optimized - o0} functions optimised, ${deopts - d0} deopts: ${[...deoptNames].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([f, c]) => `${f}×${c}`).join(', ')}`);
child.kill('SIGTERM');
await upstream.stop();
process.exit(0);
