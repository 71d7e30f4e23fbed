import type { ChatMessage, ChatRequestInput } from '@aiu/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, type TestRig } from '../../../test/helpers';

/** A 1×1 PNG and a tiny PDF, inline: what a client sends for an image and a document. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';

/** A whole turn of a tool conversation: an image and a document in, a signed thought and a call out, its result back. */
const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  {
    role: 'user',
    content: [
      { type: 'text', text: 'What is in this picture, and the weather there?' },
      { type: 'image', image: `data:image/png;base64,${PNG}` },
      { type: 'image', image: 'https://example.test/cat.jpg', mediaType: 'image/jpeg' },
      { type: 'file', data: `data:application/pdf;base64,${PDF}`, mediaType: 'application/pdf', filename: 'notes.pdf' },
    ],
  },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'The user wants the weather.', providerMetadata: { anthropic: { signature: 'sig-anthropic' }, google: { thoughtSignature: 'sig-thought' } } },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paris' }, providerMetadata: { google: { thoughtSignature: 'sig-call' } } },
    ],
  },
  { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { temperature: 21 } }] },
];

const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string', description: 'A city' } }, required: ['city'], additionalProperties: false };
const ANSWER_SCHEMA = { type: 'object', properties: { answer: { type: ['string', 'null'] } }, required: ['answer'], additionalProperties: false };

function body(model: string, extra: Partial<ChatRequestInput> = {}): ChatRequestInput {
  return {
    model,
    messages: conversation,
    tools: { weather: { description: 'The weather in a city', inputSchema: WEATHER_SCHEMA } },
    toolChoice: 'required',
    responseFormat: { type: 'json', schema: ANSWER_SCHEMA, name: 'answer' },
    options: { reasoning: { effort: 'high' } },
    ...extra,
  };
}

let rig: TestRig;
beforeAll(async () => {
  rig = await createRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => rig.upstream.reset());

/** What reached the upstream for one call through the HTTP handler (the answer is drained and ignored). */
async function sent(request: ChatRequestInput): Promise<Record<string, unknown>> {
  const response = await rig.aiu.handler(chatRequest(request));
  const text = await response.text();
  expect(response.status, text).toBeLessThan(300);
  const upstream = rig.upstream.requests.at(-1);
  if (!upstream) throw new Error('nothing reached the upstream');
  return upstream.body as Record<string, unknown>;
}

describe('tools, tool results, images, files, response formats and provider options, as each provider takes them', () => {
  it('openai: function tools, tool_choice, image_url and file parts, tool_calls and role "tool", json_schema, reasoning_effort, provider options', async () => {
    const sentBody = await sent(body('openai:gpt-4.1-nano', { providerOptions: { openai: { parallel_tool_calls: false }, anthropic: { ignored: true } } }));
    expect(sentBody.tools).toEqual([{ type: 'function', function: { name: 'weather', description: 'The weather in a city', parameters: WEATHER_SCHEMA } }]);
    expect(sentBody.tool_choice).toBe('required');
    expect(sentBody.parallel_tool_calls).toBe(false);
    expect(sentBody.ignored).toBeUndefined();
    expect(sentBody.reasoning_effort).toBe('high');
    expect(sentBody.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: ANSWER_SCHEMA } });
    expect(sentBody.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and the weather there?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.test/cat.jpg' } },
          { type: 'file', file: { filename: 'notes.pdf', file_data: `data:application/pdf;base64,${PDF}` } },
        ],
      },
      // Reasoning is OpenAI's own business: it is not sent back.
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
    ]);
  });

  it('openai: a named tool choice and JSON mode without a schema', async () => {
    const sentBody = await sent(body('openai:gpt-4.1-nano', { toolChoice: { type: 'tool', toolName: 'weather' }, responseFormat: { type: 'json' } }));
    expect(sentBody.tool_choice).toEqual({ type: 'function', function: { name: 'weather' } });
    expect(sentBody.response_format).toEqual({ type: 'json_object' });
  });

  it('anthropic: tools with input_schema, tool_choice any, image and document blocks, signed thinking handed back, tool_use and tool_result, output_config, a thinking budget', async () => {
    const sentBody = await sent(body('anthropic:claude-sonnet-4-5', { options: { reasoning: { budgetTokens: 2048 }, maxTokens: 1000, temperature: 0.5 }, providerOptions: { anthropic: { metadata: { user_id: 'u1' } } } }));
    expect(sentBody.tools).toEqual([{ name: 'weather', description: 'The weather in a city', input_schema: WEATHER_SCHEMA }]);
    expect(sentBody.tool_choice).toEqual({ type: 'any' });
    expect(sentBody.output_config).toEqual({ format: { type: 'json_schema', schema: ANSWER_SCHEMA } });
    expect(sentBody.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    // The budget counts inside max_tokens; thinking takes the default temperature.
    expect(sentBody.max_tokens).toBe(3048);
    expect(sentBody.temperature).toBeUndefined();
    expect(sentBody.metadata).toEqual({ user_id: 'u1' });
    expect(sentBody.system).toBe('Be brief.');
    expect(sentBody.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this picture, and the weather there?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.test/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF }, title: 'notes.pdf' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'The user wants the weather.', signature: 'sig-anthropic' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
        ],
      },
      // Tool results are a user turn.
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '{"temperature":21}' }] },
    ]);
  });

  it('anthropic: unsigned thinking is left out, a tool error says so, and tool results merge with the user text after them', async () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'no signature' }, { type: 'tool-call', toolCallId: 't1', toolName: 'weather', input: {} }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', toolName: 'weather', output: 'offline', isError: true }] },
      { role: 'user', content: 'Try again.' },
    ];
    const sentBody = await sent({ model: 'anthropic:claude-sonnet-4-5', messages });
    expect(sentBody.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'weather', input: {} }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'offline', is_error: true },
          { type: 'text', text: 'Try again.' },
        ],
      },
    ]);
  });

  it('google: functionDeclarations (schema in Gemini’s subset), ANY mode, inlineData and fileData, thoughtSignature handed back on its part, functionResponse, responseSchema, thinkingConfig', async () => {
    const sentBody = await sent(body('google:gemini-2.5-flash', { providerOptions: { google: { generationConfig: { topK: 3 } } } }));
    expect(sentBody.tools).toEqual([
      { functionDeclarations: [{ name: 'weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string', description: 'A city' } }, required: ['city'] } }] },
    ]);
    expect(sentBody.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(sentBody.generationConfig).toEqual({
      responseMimeType: 'application/json',
      // `type: [string, null]` is Gemini's `nullable`.
      responseSchema: { type: 'object', properties: { answer: { type: 'string', nullable: true } }, required: ['answer'] },
      thinkingConfig: { includeThoughts: true, thinkingBudget: 24_576 },
      topK: 3,
    });
    expect(sentBody.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'What is in this picture, and the weather there?' },
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { fileUri: 'https://example.test/cat.jpg', mimeType: 'image/jpeg' } },
          { inlineData: { mimeType: 'application/pdf', data: PDF } },
        ],
      },
      {
        role: 'model',
        parts: [
          { text: 'The user wants the weather.', thought: true, thoughtSignature: 'sig-thought' },
          { text: 'Checking.' },
          { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-call' },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { temperature: 21 } } }] },
    ]);
  });

  it('google: Gemini 3 thinks by level', async () => {
    const sentBody = await sent(body('google:gemini-3-pro-preview'));
    expect((sentBody.generationConfig as { thinkingConfig: unknown }).thinkingConfig).toEqual({ includeThoughts: true, thinkingLevel: 'high' });
  });

  it('ollama: tools, images beside the text, tool_calls with object arguments, role "tool", format as the schema, think', async () => {
    const messages: ChatMessage[] = conversation.filter((message) => message.role !== 'user' || true).map((message) =>
      message.role === 'user' && typeof message.content !== 'string' ? { ...message, content: message.content.filter((part) => part.type !== 'file') } : message,
    );
    const sentBody = await sent(body('ollama:llama3.2', { messages }));
    expect(sentBody.tools).toEqual([{ type: 'function', function: { name: 'weather', description: 'The weather in a city', parameters: WEATHER_SCHEMA } }]);
    expect(sentBody.format).toEqual(ANSWER_SCHEMA);
    expect(sentBody.think).toBe('high');
    expect(sentBody.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      // A linked image is not Ollama's to fetch: only inline images go.
      { role: 'user', content: 'What is in this picture, and the weather there?', images: [PNG] },
      { role: 'assistant', content: 'Checking.', tool_calls: [{ function: { name: 'weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '{"temperature":21}', tool_name: 'weather' },
    ]);
  });

  it('openrouter: the OpenAI wire, with reasoning as OpenRouter’s own object', async () => {
    const sentBody = await sent(body('openrouter:openai/gpt-4.1-nano', { options: { reasoning: { effort: 'low', budgetTokens: 500 } } }));
    expect(sentBody.reasoning).toEqual({ effort: 'low', max_tokens: 500 });
    expect(sentBody.tools).toHaveLength(1);
  });
});

describe('what a target cannot take is refused by name, and a fallback list passes over it', () => {
  it.each([
    ['images to a provider that takes text only', { model: 'deepseek:deepseek-chat', messages: [{ role: 'user', content: [{ type: 'image', image: PNG }] }] }, 'images'],
    ['images to a model the catalog knows is text only', { model: 'openai:gpt-3.5-turbo', messages: [{ role: 'user', content: [{ type: 'image', image: PNG }] }] }, 'images'],
    ['tools to a model without tools', { model: 'openai:o1-mini', messages: [{ role: 'user', content: 'hi' }], tools: { weather: { inputSchema: WEATHER_SCHEMA } } }, 'tools'],
    ['a JSON schema where only JSON mode exists', { model: 'deepseek:deepseek-chat', messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'json', schema: ANSWER_SCHEMA } }, 'json-schema'],
    ['a document to a provider that takes none', { model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: [{ type: 'file', data: PDF, mediaType: 'application/pdf' }] }] }, 'files'],
  ] as const)('%s: 400 unsupported', async (_what, request, capability) => {
    const response = await rig.aiu.handler(chatRequest(request));
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string; details: { capability: string } } }).error;
    expect(error.code).toBe('unsupported');
    expect(error.details.capability).toBe(capability);
    expect(error.message.length).toBeGreaterThan(10);
    expect(rig.upstream.requests).toHaveLength(0);
  });

  it('JSON mode without a schema is fine where only JSON mode exists', async () => {
    rig.upstream.set({ fixture: 'openai-compatible/deepseek-text' });
    const sentBody = await sent({ model: 'deepseek:deepseek-chat', messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'json' } });
    expect(sentBody.response_format).toEqual({ type: 'json_object' });
  });

  it('skips a fallback target that cannot take images, logging why, and answers from the next', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: ['deepseek:deepseek-chat', 'openai:gpt-4.1-nano'], messages: [{ role: 'user', content: [{ type: 'image', image: PNG }] }], stream: false }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe('openai:gpt-4.1-nano');
    expect(rig.upstream.requests).toHaveLength(1);
    await rig.aiu.flush();
    const [entry] = await (await rig.aiu.store()).listLogs({ limit: 1 });
    expect(JSON.parse(entry?.attemptDetails ?? '[]')).toMatchObject([{ model: 'deepseek:deepseek-chat', outcome: 'skipped', code: 'unsupported' }, { model: 'openai:gpt-4.1-nano', outcome: 'success' }]);
  });
});

describe('unknown fields are refused by name, never dropped', () => {
  it.each([
    ['at the top', { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], temprature: 1 }, 'temprature'],
    ['in options', { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], options: { max_tokens: 5 } }, 'max_tokens'],
    ['in a part', { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache: true }] }] }, 'cache'],
    ['in a tool', { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], tools: { weather: { inputSchema: {}, strict: true } } }, 'strict'],
  ])('%s: 400 naming the field', async (_where, request, field) => {
    const response = await rig.aiu.handler(chatRequest(request));
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(field);
    expect(rig.upstream.requests).toHaveLength(0);
  });

  it('refuses a part its role cannot hold, at its path', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: [{ type: 'tool-call', toolCallId: 'x', toolName: 'y', input: {} }] }] }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('messages.0.content.0.type');
  });
});
