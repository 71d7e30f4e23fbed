// `pnpm bench:ab --base <git ref> [--head <git ref>]`: two builds in one run (head defaults to HEAD).
// Both servers run at once (same upstream, same load generator, same core); paired rounds alternate
// which goes first, and each figure is the median over pairs of B/A — how a change is checked
// against "within 5% of before" on a machine whose absolute figures swing ±20% between runs.
//
//   --base <ref>, --head <ref>   what to compare (each built in a git worktree under /tmp; commit first:
//                       the same code run from the working tree measured ~7% apart from a worktree copy)
//   --target node|express   the aiu mount to measure (default node)
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

const dirs = { A: prepare(baseRef, 'a'), B: prepare(headRef, 'b') };
const upstream = await startScript('servers/upstream.mjs', {}, '1');
const env = { UPSTREAM_URL: upstream.url, MODE: target };
// --swap starts (and warms) the working tree first: a check that the order of the two servers is not what is measured.
const swap = process.argv.includes('--swap');
const servers = {} as Record<'A' | 'B', Running>;
for (const side of swap ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
  servers[side] = await startScript(join(dirs[side], 'bench/servers/ab-aiu.mjs'), env);
}
const path = target === 'express' ? '/api/aiu/chat' : '/chat';
const job = (server: Running, stream: boolean, connections: number, durationMs: number, maxRequests?: number) => ({
  url: `${server.url}${path}`,
  body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: MESSAGES, stream }),
  connections,
  durationMs,
  ...(maxRequests ? { maxRequests } : {}),
});

try {
  for (const side of swap ? (['B', 'A'] as const) : (['A', 'B'] as const)) {
    await load(job(servers[side], false, 50, 12_000, 20_000));
    await load(job(servers[side], true, 50, 12_000, 3_000));
  }
  console.log(`A = ${baseRef} (${dirs.A}), B = ${headRef} (${dirs.B}); target ${target}; ${pairs} pairs of ${roundMs} ms`);
  for (const name of modes) {
    const { stream, connections } = modeOf(name);
    const measure = async (side: 'A' | 'B') => {
      const server = servers[side];
      const before = cpuSeconds(server.pid);
      const result = await load(job(server, stream, connections, roundMs));
      const cpu = cpuSeconds(server.pid) - before;
      return { cpuUs: (cpu * 1e6) / result.latencies.length, rps: result.latencies.length / result.elapsed, p50: median(result.latencies), errors: result.errors };
    };
    for (const side of ['A', 'B'] as const) await load(job(servers[side], stream, connections, 1000));
    const rows: Array<{ a: Awaited<ReturnType<typeof measure>>; b: Awaited<ReturnType<typeof measure>> }> = [];
    for (let pair = 0; pair < pairs; pair++) {
      // Alternate who goes first, so a drift in the machine lands on both alike.
      if (pair % 2 === 0) {
        const a = await measure('A');
        rows.push({ a, b: await measure('B') });
      } else {
        const b = await measure('B');
        rows.push({ a: await measure('A'), b });
      }
    }
    if (process.argv.includes('--verbose')) console.log(`${name} B/A per pair: ${rows.map((r) => (r.b.cpuUs / r.a.cpuUs).toFixed(2)).join(' ')}`);
    const cpuRatio = median(rows.map((r) => r.b.cpuUs / r.a.cpuUs));
    const rpsRatio = median(rows.map((r) => r.b.rps / r.a.rps));
    const errors = rows.reduce((sum, r) => sum + r.a.errors + r.b.errors, 0);
    console.log(
      `${name.padEnd(9)} CPU/request A ${median(rows.map((r) => r.a.cpuUs)).toFixed(0)} µs, B ${median(rows.map((r) => r.b.cpuUs)).toFixed(0)} µs, ` +
        `paired B/A ${cpuRatio.toFixed(3)} (${((cpuRatio - 1) * 100).toFixed(1)}%); req/s B/A ${rpsRatio.toFixed(3)}; ` +
        `p50 A ${median(rows.map((r) => r.a.p50)).toFixed(2)} ms, B ${median(rows.map((r) => r.b.p50)).toFixed(2)} ms${errors ? `; ${errors} errors` : ''}`,
    );
  }
} finally {
  await servers.A.stop();
  await servers.B.stop();
  await upstream.stop();
}
process.exit(0);
