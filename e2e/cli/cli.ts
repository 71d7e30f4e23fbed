import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(root, 'packages', 'cli', 'dist', 'bin.js');

/** The built `aiu`, built first when this checkout has not been. */
export function ensureBuilt(): void {
  if (!existsSync(BIN) || !existsSync(join(root, 'packages', 'server', 'dist', 'index.js'))) {
    execFileSync('pnpm', ['--filter', './packages/*', 'build'], { cwd: root, stdio: 'ignore' });
  }
}

export function tempDir(prefix = 'aiu-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/**
 * The child's environment: only what the test gives, plus PATH and HOME — never the
 * developer's own provider keys or AIU_* settings.
 */
export function childEnv(cwd: string, env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: cwd, LANG: 'C.UTF-8', TZ: 'UTC', ...env };
  // NODE_ENV only when a test sets it (a type that insists on one comes with Next's globals).
  return Object.fromEntries(Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined)) as NodeJS.ProcessEnv;
}

/** Runs `aiu …` to the end; stdin is `input`, or closed (not a TTY) when none is given. */
export function aiu(args: string[], options: RunOptions): Promise<Ran> {
  const child = spawnAiu(args, options);
  child.stdin?.end(options.input ?? '');
  return finished(child);
}

export function spawnAiu(args: string[], options: RunOptions): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.cwd, options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  linesOf(child);
  return child;
}

export function finished(child: ChildProcess): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every stdout line a child printed, read from the moment it was spawned, and who waits for the next. */
const printed = new WeakMap<ChildProcess, { lines: string[]; waiting: Set<(line: string) => void> }>();

function linesOf(child: ChildProcess) {
  let seen = printed.get(child);
  if (!seen) {
    const state = { lines: [] as string[], waiting: new Set<(line: string) => void>() };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      state.lines.push(line);
      for (const wait of [...state.waiting]) wait(line);
    });
    printed.set(child, (seen = state));
  }
  return seen;
}

/**
 * Resolves with the first stdout line that matches, one printed before the call included: a line
 * that lands while the test is busy elsewhere (running another command) is not missed.
 */
export function waitForLine(child: ChildProcess, match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const seen = linesOf(child);
  const already = seen.lines.find(match);
  if (already !== undefined) return Promise.resolve(already);
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      seen.waiting.delete(onLine);
      child.off('exit', onExit);
    };
    const onLine = (line: string) => {
      if (!match(line)) return;
      done();
      resolve(line);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`aiu exited (${code}) before the line came`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('timed out waiting for a line from aiu'));
    }, timeoutMs);
    seen.waiting.add(onLine);
    child.once('exit', onExit);
  });
}

// eslint-disable-next-line no-control-regex -- what is looked for is the escape character
export const ANSI = /\u001b\[/;
