// What both bare proxies do with a request body: forward it to the upstream over a keep-alive
// agent and pipe the answer back — the least a Node proxy can do.
import http from 'node:http';

const upstream = new URL(process.env.UPSTREAM_URL);
const agent = new http.Agent({ keepAlive: true });

export function forward(body, res) {
  const request = http.request(
    { host: upstream.hostname, port: upstream.port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.pipe(res);
    },
  );
  request.on('error', () => res.destroy());
  request.end(body);
}
