// Express's own cost: an Express 5 app as users write one (express.json() before the routes) with a
// route that forwards the parsed body to the upstream and pipes the answer back. What `toExpress`
// is measured against: aiu under Express pays this, plus what it pays under the bare Node bridge.
import express from 'express';
import { forward } from './forward.mjs';

const app = express();
app.use(express.json());
app.post('/api/aiu/chat', (req, res) => forward(Buffer.from(JSON.stringify(req.body)), res));
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
server.keepAliveTimeout = 60_000;
