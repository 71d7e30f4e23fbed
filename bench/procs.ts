import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** `node --import tsx`: one process (the tsx CLI would put the server in a child we could not measure). */
const NODE_TS = [process.execPath, '--import', 'tsx', '--conditions=@aiu/source'] as const;

export interface Running {
  url: string;
  /** A client key the server issued at start (aiu's bench server), for the routes that need one. */
  clientKey?: string;
  pid: number;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function currentRssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Peak resident memory of a process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function watch(child: ChildProcess, stop: () => Promise<void>): Promise<Running> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        const ready = JSON.parse(line) as { url: string; clientKey?: string };
        resolve({ url: ready.url, ...(ready.clientKey ? { clientKey: ready.clientKey } : {}), pid: child.pid as number, stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => process.env.BENCH_VERBOSE && process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it listened: ${out.slice(0, 500)}`)));
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
}

/**
 * A server script of ours, on one CPU when taskset exists; it prints `{"url"}` when ready.
 * `.mjs` scripts run on plain Node against the built packages (what users install);
 * `.ts` ones through tsx on the sources.
 */
export function startScript(script: string, env: Record<string, string> = {}, cpu = '0'): Promise<Running> {
  const [node, ...flags] = script.endsWith('.mjs') ? [process.execPath] : NODE_TS;
  const profile = process.env.BENCH_PROFILE && script.includes(process.env.BENCH_PROFILE) ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR ?? '/tmp/aiu-prof'}`] : [];
  const child = pinned(node, [...flags, ...profile, isAbsolute(script) ? script : join(here, script)], cpu, { ...process.env, NODE_ENV: 'production', ...env });
  return watch(child, stopper(child));
}

export function pinned(command: string, args: string[], cpu: string, env: NodeJS.ProcessEnv, stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const useTaskset = existsSync('/usr/bin/taskset');
  return spawn(useTaskset ? 'taskset' : command, useTaskset ? ['-c', cpu, command, ...args] : args, { env, stdio: [stdin, 'pipe', 'pipe'] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Portkey's gateway as shipped on npm, pointed at the same upstream per request. */
export async function startPortkey(cpu = '0'): Promise<Running> {
  const port = await freePort();
  const script = join(here, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const child = pinned(process.execPath, [script, `--port=${port}`, '--headless'], cpu, { ...process.env, NODE_ENV: 'production' });
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return { url, pid: child.pid as number, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error('Portkey did not start');
}

export interface LoadResult {
  latencies: number[];
  firstBytes: number[];
  errors: number;
  /** Failed requests by HTTP status (`HTTP 502`) or socket error code (`ECONNRESET`). */
  errorKinds: Record<string, number>;
  elapsed: number;
}

/**
 * Runs a job on the load generator: its own process, on its own core, started once and kept for
 * every job of the run (it exits when this process does and its stdin closes).
 */
export function load(job: { url: string; body: string; headers?: Record<string, string>; connections: number; durationMs: number; maxRequests?: number }, cpu = '1'): Promise<LoadResult> {
  const generator = loadGenerator(cpu);
  return new Promise((resolve, reject) => {
    generator.waiting.push({ resolve, reject });
    generator.child.stdin?.write(`${JSON.stringify({ headers: {}, ...job })}\n`);
  });
}

interface LoadGenerator {
  child: ChildProcess;
  waiting: Array<{ resolve: (result: LoadResult) => void; reject: (error: Error) => void }>;
}

const generators = new Map<string, LoadGenerator>();

function loadGenerator(cpu: string): LoadGenerator {
  const running = generators.get(cpu);
  if (running) return running;
  const child = pinned(process.execPath, [join(here, 'load.mjs')], cpu, process.env, 'pipe');
  const generator: LoadGenerator = { child, waiting: [] };
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      generator.waiting.shift()?.resolve(JSON.parse(line) as LoadResult);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  child.once('exit', (code) => {
    generators.delete(cpu);
    for (const waiter of generator.waiting.splice(0)) waiter.reject(new Error(`load generator exited ${code}`));
  });
  generators.set(cpu, generator);
  return generator;
}
