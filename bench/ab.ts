// `pnpm bench:ab --base <git ref> [--head <git ref>[,<git ref>…]]`: builds in one run (head defaults to HEAD).
// Both servers run at once (same upstream, same load generator, same core); paired rounds alternate
// which goes first, and each figure is the median over pairs of B/A — how a change is checked
// against "within 5% of before" on a machine whose absolute figures swing ±20% between runs.
//
//   --base <ref>, --head <ref>   what to compare (each built in a git worktree under /tmp; commit first:
//                       the same code run from the working tree measured ~7% apart from a worktree copy).
//                       Several heads (comma-separated) bisect a regression in one run: every round
//                       measures all of them in a rotating order and each is reported against the base.
//   --target node|express   the aiu mount to measure (default node)
//   --route chat|v1     aiu's own /chat (default) or /v1/chat/completions, with the client key the server issued
//   --modes json1,json50,stream1,stream50   (default json50,stream1)
//   --pairs N           rounds per mode (default 12), --round-ms (default 2000)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, load, type Running, startScript } from './procs';
import { median } from './stats';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const arg = (name: string, fallback: string) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const index = process.argv.indexOf(`--${name}`);
  return found ?? (index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback);
};
const baseRef = arg('base', 'HEAD~1');
const headRef = arg('head', 'HEAD');
const target = arg('target', 'node');
const route = arg('route', 'chat');
if (route !== 'chat' && route !== 'v1') throw new Error(`Unknown route ${route}: use chat or v1.`);
const modes = arg('modes', 'json50,stream1').split(',');
const pairs = Number(arg('pairs', '12'));
const roundMs = Number(arg('round-ms', '2000'));

const MESSAGES = [{ role: 'user', content: 'Invent a new holiday and describe its traditions.' }];

function prepare(ref: string, side: 'a' | 'b'): string {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root }).toString().trim();
  const dir = `/tmp/aiu-ab-${sha}-${side}`;
  if (!existsSync(dir)) {
    console.log(`Building ${ref} (${sha}) in ${dir}…`);
    execFileSync('git', ['worktree', 'add', '--force', dir, sha], { cwd: root, stdio: 'ignore' });
    execFileSync('pnpm', ['install', '--frozen-lockfile', '--offline'], { cwd: dir, stdio: 'ignore', env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' } });
    execFileSync('pnpm', ['--filter', './packages/*', 'build'], { cwd: dir, stdio: 'ignore' });
  }
  // The same server script on both sides: only the packages it imports differ.
  copyFileSync(join(here, 'servers/aiu.mjs'), join(dir, 'bench/servers/ab-aiu.mjs'));
  return dir;
}

function modeOf(name: string): { stream: boolean; connections: number } {
  const match = /^(json|stream)(\d+)$/.exec(name);
  if (!match) throw new Error(`Unknown mode ${name}: use json1, json50, stream1 or stream50.`);
  return { stream: match[1] === 'stream', connections: Number(match[2]) };
}

const headRefs = headRef.split(',');
// The base first, then each head, in the order given: B, C, D…
const refs = [baseRef, ...headRefs];
const labels = refs.map((_, index) => String.fromCharCode(65 + index));
const dirs = refs.map((ref, index) => prepare(ref, index === 0 ? 'a' : 'b'));
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const env = { UPSTREAM_URL: upstream.url, MODE: target };
// --swap starts (and warms) the heads first: a check that the order of the servers is not what is measured.
const swap = process.argv.includes('--swap');
const startOrder = swap ? [...labels.keys()].reverse() : [...labels.keys()];
const servers: Running[] = [];
for (const index of startOrder) servers[index] = await startScript(join(dirs[index] ?? '', 'bench/servers/ab-aiu.mjs'), env);
const path = `${target === 'express' ? '/api/aiu' : ''}${route === 'v1' ? '/v1/chat/completions' : '/chat'}`;
const job = (server: Running, stream: boolean, connections: number, durationMs: number, maxRequests?: number) => ({
  url: `${server.url}${path}`,
  // As `pnpm bench` calls /v1: usage in the stream, and the key an OpenAI SDK caller would have.
  body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: MESSAGES, stream, ...(route === 'v1' && stream ? { stream_options: { include_usage: true } } : {}) }),
  ...(route === 'v1' ? { headers: { authorization: `Bearer ${server.clientKey ?? ''}` } } : {}),
  connections,
  durationMs,
  ...(maxRequests ? { maxRequests } : {}),
});
const at = <T>(list: readonly T[], index: number): T => list[index] as T;

try {
  for (const index of startOrder) {
    await load(job(at(servers, index), false, 50, 12_000, 20_000));
    await load(job(at(servers, index), true, 50, 12_000, 3_000));
  }
  console.log(`${refs.map((ref, index) => `${at(labels, index)} = ${ref} (${at(dirs, index)})`).join(', ')}; target ${target}, route ${path}; ${pairs} rounds of ${roundMs} ms each`);
  for (const name of modes) {
    const { stream, connections } = modeOf(name);
    const measure = async (server: Running) => {
      const before = cpuSeconds(server.pid);
      const result = await load(job(server, stream, connections, roundMs));
      const cpu = cpuSeconds(server.pid) - before;
      return { cpuUs: (cpu * 1e6) / result.latencies.length, rps: result.latencies.length / result.elapsed, p50: median(result.latencies), errors: result.errors };
    };
    for (const server of servers) await load(job(server, stream, connections, 1000));
    const rounds: Array<Array<Awaited<ReturnType<typeof measure>>>> = [];
    for (let round = 0; round < pairs; round++) {
      // Rotate who goes first, so a drift in the machine lands on all alike (two builds: they alternate).
      const row: Array<Awaited<ReturnType<typeof measure>>> = [];
      for (let step = 0; step < servers.length; step++) {
        const index = (round + step) % servers.length;
        row[index] = await measure(at(servers, index));
      }
      rounds.push(row);
    }
    const base = (round: (typeof rounds)[number]) => at(round, 0);
    for (let index = 1; index < servers.length; index++) {
      const head = (round: (typeof rounds)[number]) => at(round, index);
      const label = at(labels, index);
      if (process.argv.includes('--verbose')) console.log(`${name} ${label}/A per round: ${rounds.map((r) => (head(r).cpuUs / base(r).cpuUs).toFixed(2)).join(' ')}`);
      const cpuRatio = median(rounds.map((r) => head(r).cpuUs / base(r).cpuUs));
      const rpsRatio = median(rounds.map((r) => head(r).rps / base(r).rps));
      const errors = rounds.reduce((sum, r) => sum + base(r).errors + head(r).errors, 0);
      console.log(
        `${name.padEnd(9)} ${at(refs, index)}: CPU/request A ${median(rounds.map((r) => base(r).cpuUs)).toFixed(0)} µs, ${label} ${median(rounds.map((r) => head(r).cpuUs)).toFixed(0)} µs, ` +
          `paired ${label}/A ${cpuRatio.toFixed(3)} (${((cpuRatio - 1) * 100).toFixed(1)}%); req/s ${label}/A ${rpsRatio.toFixed(3)}; ` +
          `p50 A ${median(rounds.map((r) => base(r).p50)).toFixed(2)} ms, ${label} ${median(rounds.map((r) => head(r).p50)).toFixed(2)} ms${errors ? `; ${errors} errors` : ''}`,
      );
    }
  }
} finally {
  for (const server of servers) await server.stop();
  await upstream.stop();
}
process.exit(0);
