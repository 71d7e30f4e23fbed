// The peer users would write by hand: an Express route on the Vercel AI SDK (v5, the line that
// runs on Node 20), as plain JavaScript like every other target.
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import express from 'express';

const openai = createOpenAI({ baseURL: `${process.env.UPSTREAM_URL}/v1`, apiKey: 'sk-bench-0000000000000000' });
const app = express();
app.use(express.json());
app.post('/chat', async (req, res) => {
  const { messages, stream } = req.body;
  if (stream) {
    streamText({ model: openai.chat('gpt-4.1-nano'), messages }).pipeTextStreamToResponse(res);
    return;
  }
  const result = await generateText({ model: openai.chat('gpt-4.1-nano'), messages });
  res.json({ text: result.text, usage: result.usage });
});
const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
server.keepAliveTimeout = 60_000;
