#!/usr/bin/env node
import { main } from './main';

// `aiu logs | head`: a reader that stops early is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Exit with the command's code once it is done; timers and sockets left open do not hold the process.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setImmediate(() => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`aiu: ${String(error)}\n`);
    process.exit(1);
  },
);
