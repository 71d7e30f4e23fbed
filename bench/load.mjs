// The load generator, run as its own process on plain Node (pinned to its own core when
// taskset exists). It stays up for the whole benchmark and takes one job per line on stdin
// (starting a Node process per job cost more than a quick round itself on these machines),
// answering each with one line of JSON. Keep-alive HTTP/1.1, a fixed number of connections,
// each sending back to back until the time is up or, with `maxRequests`, that many answers
// have arrived. Every job opens its own connections.
import http from 'node:http';
import { createInterface } from 'node:readline';

async function run(job) {
  const target = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const latencies = [];
  const firstBytes = [];
  let errors = 0;
  /** What went wrong, by status code or error code: a benchmark that fails must say how. */
  const errorKinds = {};
  const maxRequests = job.maxRequests ?? Infinity;
  let answered = 0;
  const failed = (kind) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(job.body), ...job.headers };

  const once = () =>
    new Promise((resolve) => {
      const start = process.hrtime.bigint();
      let first = 0;
      const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers }, (response) => {
        response.on('data', () => {
          if (!first) first = Number(process.hrtime.bigint() - start) / 1e6;
        });
        response.on('end', () => {
          answered++;
          if (response.statusCode !== 200) failed(`HTTP ${response.statusCode}`);
          else {
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            firstBytes.push(first);
          }
          resolve();
        });
        response.on('error', (error) => {
          failed(error.code ?? error.message);
          resolve();
        });
      });
      request.on('error', (error) => {
        failed(error.code ?? error.message);
        resolve();
      });
      request.end(job.body);
    });

  const deadline = Date.now() + job.durationMs;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (Date.now() < deadline && answered < maxRequests) await once();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  return { latencies, firstBytes, errors, errorKinds, elapsed };
}

// Jobs come one per line until stdin closes (with the benchmark).
for await (const line of createInterface({ input: process.stdin })) if (line.trim()) process.stdout.write(`${JSON.stringify(await run(JSON.parse(line)))}\n`);
