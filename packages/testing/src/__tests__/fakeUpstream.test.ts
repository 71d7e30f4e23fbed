import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../fakeUpstream';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const weather = { type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } };
const ask = (content: string) =>
  fetch(`${upstream?.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content }], tools: [weather] }),
  }).then((response) => response.json() as Promise<{ choices: Array<{ finish_reason: string; message: { tool_calls?: Array<{ function: { name: string } }> } }> }>);

describe('startFakeUpstream: which recording answers a request that offers tools', () => {
  it('offered (default): a recording that calls an offered tool, whatever was asked', async () => {
    upstream = await startFakeUpstream();
    expect((await ask('Invent a holiday.')).choices[0]?.message.tool_calls?.[0]?.function.name).toBe('weather');
  });

  it('asked: the tool call only when the last user message names the tool, else text', async () => {
    upstream = await startFakeUpstream({ toolCalls: 'asked' });
    expect((await ask('Invent a holiday.')).choices[0]?.finish_reason).toBe('stop');
    expect((await ask('What is the Weather in Berlin?')).choices[0]?.message.tool_calls?.[0]?.function.name).toBe('weather');
  });
});
