#!/usr/bin/env node
import { main } from './main';

// `aiu logs | head`: a reader that stops early is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/**
 * Exits once stdout and stderr have drained. Writes to a pipe are asynchronous on Linux:
 * `process.exit` right away keeps only what the pipe took (64 kB), so `aiu models --json | jq`
 * would get a cut-off answer. An empty write's callback runs after everything written before it.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

// Exit with the command's code once it is done; timers and sockets left open do not hold the process.
main(process.argv.slice(2)).then(
  (code) => setImmediate(() => exitWhenFlushed(code)),
  (error: unknown) => {
    process.stderr.write(`aiu: ${String(error)}\n`);
    exitWhenFlushed(1);
  },
);
