// The load generator, run as its own process on plain Node (pinned to its own core when
// taskset exists). Keep-alive HTTP/1.1, a fixed number of connections, each sending back to back.
import http from 'node:http';

const job = JSON.parse(process.argv[2]);
const target = new URL(job.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
const latencies = [];
const firstBytes = [];
let errors = 0;

function once() {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let first = 0;
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(job.body), ...job.headers } },
      (response) => {
        response.on('data', () => {
          if (!first) first = Number(process.hrtime.bigint() - start) / 1e6;
        });
        response.on('end', () => {
          if (response.statusCode !== 200) errors++;
          else {
            latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
            firstBytes.push(first);
          }
          resolve();
        });
      },
    );
    request.on('error', () => {
      errors++;
      resolve();
    });
    request.end(job.body);
  });
}

const deadline = Date.now() + job.durationMs;
const started = Date.now();
await Promise.all(
  Array.from({ length: job.connections }, async () => {
    while (Date.now() < deadline) await once();
  }),
);
const elapsed = (Date.now() - started) / 1000;
agent.destroy();
console.log(JSON.stringify({ latencies, firstBytes, errors, elapsed }));
