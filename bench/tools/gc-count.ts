// Young-generation collections per request for one server under one load: `tsx bench/tools/gc-count.ts <server script> <json|stream>`.
// Scavenges come at a fixed young-generation size, so their count per request tracks the bytes a request allocates.
import { spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { load, startScript } from '../procs';

const [script = 'servers/aiu.mjs', kind = 'stream'] = process.argv.slice(2);
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const child = spawn('taskset', ['-c', '0', process.execPath, '--trace-gc', isAbsolute(script) ? script : join(import.meta.dirname, '..', script)], {
  env: { ...process.env, NODE_ENV: 'production', UPSTREAM_URL: upstream.url, MODE: 'node' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let scavenges = 0;
let marks = 0;
let buffered = '';
const url = await new Promise<string>((resolve) => {
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (line.startsWith('{')) resolve((JSON.parse(line) as { url: string }).url);
      if (line.includes('Scavenge')) scavenges++;
      if (line.includes('Mark-Compact') || line.includes('Mark-sweep')) {
        marks++;
        if (process.env.SHOW_GC) console.log(line);
      }
    }
  });
});
const body = (stream: boolean) => JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream });
await load({ url: `${url}/chat`, body: body(false), connections: 50, durationMs: 12_000, maxRequests: 20_000 });
await load({ url: `${url}/chat`, body: body(true), connections: 50, durationMs: 12_000, maxRequests: 3_000 });
const [s0, m0] = [scavenges, marks];
const result = await load({ url: `${url}/chat`, body: body(kind === 'stream'), connections: 1, durationMs: 10_000 });
const n = result.latencies.length;
console.log(`${n} ${kind} requests: ${(((scavenges - s0) / n) * 1000).toFixed(1)} scavenges and ${(((marks - m0) / n) * 1000).toFixed(2)} mark-compacts per 1,000`);
child.kill('SIGTERM');
await upstream.stop();
process.exit(0);
