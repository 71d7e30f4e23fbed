// Express's own cost: an Express 5 app as users write one (express.json() before the routes) with a
// route that forwards the parsed body to the upstream and pipes the answer back. What `toExpress`
// is measured against: aiu under Express pays this, plus what it pays under the bare Node bridge.
import http from 'node:http';
import express from 'express';

const upstream = new URL(process.env.UPSTREAM_URL);
const agent = new http.Agent({ keepAlive: true });
const app = express();
app.use(express.json());
app.post('/api/aiu/chat', (req, res) => {
  const body = Buffer.from(JSON.stringify(req.body));
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.destroy());
  forward.end(body);
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
server.keepAliveTimeout = 60_000;
