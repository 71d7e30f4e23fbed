import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportJob, ExportMessage } from './exportWorker';

/** Pieces the worker may have ready before the reader asks: enough to keep the socket busy. */
const READ_AHEAD = 4;

/**
 * The worker's heap: a young generation this small keeps its garbage small (on the main
 * thread V8 grows it to 32 MB under an export's allocation rate); the old generation may
 * grow for rows that carry logged prompts and replies.
 */
const LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 512 };

/** The built worker, next to this module and in its format (ESM `.js`, CommonJS `.cjs`). */
function workerFile(): string | undefined {
  try {
    const here = import.meta.url;
    const file = fileURLToPath(new URL(`./exportWorker.${here.endsWith('.cjs') ? 'cjs' : 'js'}`, here));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Exports a SQLite log file from a worker thread, pulling one piece per piece the reader takes.
 * Where no worker can run (the sources under a test runner, a bundler that left the file
 * behind) or it fails before its first piece, `inProcess` does the same work on this thread.
 */
export async function* exportInWorker(job: ExportJob, inProcess: () => AsyncGenerator<string>): AsyncGenerator<string> {
  const file = workerFile();
  if (!file) return yield* inProcess();
  const worker = new Worker(file, { workerData: { aiuExport: job }, resourceLimits: LIMITS });
  // An export nobody reads any more must not keep the process alive; the response's socket does while it is open.
  worker.unref();
  const inbox: ExportMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  worker.on('message', (message: ExportMessage) => {
    inbox.push(message);
    notify();
  });
  worker.on('error', (error) => {
    failure = error;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`the log export worker stopped (exit code ${code})`);
    notify();
  });
  let started = false;
  try {
    worker.postMessage(READ_AHEAD);
    for (;;) {
      while (inbox.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift();
      if (!message) {
        if (!started) return yield* inProcess();
        throw failure;
      }
      if ('done' in message) return;
      if ('error' in message) throw new Error(`The log export failed: ${message.error}`);
      started = true;
      worker.postMessage(1);
      yield message.piece;
    }
  } finally {
    void worker.terminate();
  }
}
