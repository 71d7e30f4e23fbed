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

describe('startFakeUpstream: a reasoning model gets a recording with reasoning', () => {
  const chat = (body: Record<string, unknown>) =>
    fetch(`${upstream?.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Say a word.' }], ...body }),
    }).then((response) => response.json() as Promise<{ choices: Array<{ message: { content: string; reasoning_content?: string } }> }>);

  it('by the model asked for, or by a request that asks for reasoning; other models get plain text', async () => {
    upstream = await startFakeUpstream();
    for (const model of ['o4-mini', 'gpt-5-mini', 'deepseek-reasoner', 'grok-4-fast-reasoning', 'magistral-small-latest']) {
      expect((await chat({ model })).choices[0]?.message.reasoning_content, model).toMatch(/\w+/);
    }
    expect((await chat({ model: 'gpt-4.1-nano', reasoning_effort: 'low' })).choices[0]?.message.reasoning_content).toMatch(/\w+/);
    for (const model of ['gpt-4.1-nano', 'gpt-4o-mini', 'mistral-small-latest']) {
      expect((await chat({ model })).choices[0]?.message.reasoning_content, model).toBeUndefined();
    }
  });

});
