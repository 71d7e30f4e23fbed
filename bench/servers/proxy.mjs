// The floor: the least a Node proxy can do (read the body, forward it, pipe the answer back over
// keep-alive sockets). Overheads are reported against it too, because these machines differ.
import http from 'node:http';
import { forward } from './forward.mjs';

const server = http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => forward(Buffer.concat(chunks), res));
  })
  .listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
server.keepAliveTimeout = 60_000;
