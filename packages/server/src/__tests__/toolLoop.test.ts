import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatMessage, LogEntry } from '@aiu/core';
import { FIXTURES_DIR, loadFixture, type RecordedRequest } from '@aiu/testing';
import * as z from 'zod/mini';
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, parseSse, type TestRig } from '../../test/helpers';
import { toNodeListener } from '../node';
import type { AiuOptions, ServerTool } from '../index';

/** The recording of a model calling `weather({ location: "San Francisco" })`, then a plain answer once it has the result. */
const TOOL_CALL = 'openai-compatible/mistral-tool-call';
const ANSWER = 'openai-compatible/mistral-text';
const MODEL = 'mistral:mistral-small-latest';

/** The fake upstream answers the call with the tool-call recording until the conversation holds a tool result. */
function byTurn(call: string, answer: string) {
  return (request: RecordedRequest) => {
    const body = request.body as { messages?: Array<{ role: string }>; contents?: Array<{ parts: Array<Record<string, unknown>> }> };
    const answered = body.messages?.some((m) => m.role === 'tool') || body.contents?.some((c) => c.parts.some((p) => 'functionResponse' in p));
    return answered ? answer : call;
  };
}

let rig: TestRig | undefined;
let server: Server | undefined;
afterEach(async () => {
  const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await closing;
  server = undefined;
  await rig?.close();
  rig = undefined;
});

async function serve(options: Partial<AiuOptions>, fixture: string | ((request: RecordedRequest) => string) = byTurn(TOOL_CALL, ANSWER)): Promise<{ rig: TestRig; base: string }> {
  rig = await createRig(options, { fixture });
  server = createServer(toNodeListener(rig.aiu));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { rig, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function chat(base: string, body: Record<string, unknown>, init: RequestInit = {}) {
  return fetch(`${base}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
}

async function entries(current: TestRig): Promise<LogEntry[]> {
  await current.aiu.flush();
  const { entries } = (await (await current.aiu.handler(new Request('http://localhost/logs'), { clientAddress: '127.0.0.1' })).json()) as { entries: LogEntry[] };
  return entries;
}

const question: ChatMessage[] = [{ role: 'user', content: 'What is the weather in San Francisco?' }];

function weather(calls: unknown[]): ServerTool<{ location: string }> {
  return {
    description: 'The weather in a city',
    inputSchema: z.object({ location: z.string() }),
    execute: async (input) => {
      calls.push(input);
      return { location: input.location, temperature: 21, condition: 'sunny' };
    },
  };
}

describe('guardrails on server tools\' results', () => {
  const SECRET = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
  const leaky: ServerTool<{ location: string }> = {
    description: 'The weather in a city',
    inputSchema: z.object({ location: z.string() }),
    execute: async (input) => ({ location: input.location, condition: 'sunny', debug: `found ${SECRET} in the env` }),
  };

  it.each([
    ['redact', (sent: string) => expect(sent).toContain('[redacted:openai-api-key]')],
    ['block', (sent: string) => expect(sent).toContain('guardrail blocks')],
  ] as const)('checks a result before the next step sends it (%s): the secret never reaches the provider, the decision is logged', async (action, sentCheck) => {
    const { rig: current, base } = await serve({ tools: { weather: leaky }, guardrails: { secrets: action } });
    const response = await chat(base, { model: MODEL, messages: question, stream: false });
    expect(response.status).toBe(200);
    expect(current.upstream.requests).toHaveLength(2);
    const sent = JSON.stringify(current.upstream.requests[1]?.body);
    expect(sent).not.toContain(SECRET);
    sentCheck(sent);
    const [entry] = await entries(current);
    expect(entry?.status).toBe('success');
    expect(entry?.guardrails).toEqual([{ rule: 'openai-api-key', action, where: 'prompt', message: 2 }]);
  });
});

describe('server tools: the step loop, over HTTP', () => {
  it('runs the tool the model called, streams its result, and lets the model answer: two steps, usage and cost summed', async () => {
    const calls: unknown[] = [];
    const heard: string[] = [];
    const spans: Array<{ name: string; attributes: Record<string, unknown> }> = [];
    const { rig: current, base } = await serve({
      tools: { weather: weather(calls) },
      tracer: {
        startSpan(name, options) {
          const span = { name, attributes: { ...options?.attributes } as Record<string, unknown> };
          spans.push(span);
          return { setAttribute: (key: string, value: unknown) => void (span.attributes[key] = value), addEvent: () => {}, recordException: () => {}, setStatus: () => {}, end: () => {} };
        },
      },
    });
    current.aiu.on('tool:call', (event) => heard.push(`call ${event.toolName} ${event.runs}`));
    current.aiu.on('tool:result', (event) => heard.push(`result ${event.toolName} ${event.isError}`));

    const response = await chat(base, { model: MODEL, messages: question });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    const types = events.map((e) => e.event).filter((type) => type !== 'delta' && type !== 'tool-input-delta');
    expect(types).toEqual(['start', 'tool-input-start', 'tool-call', 'step-finish', 'tool-result', 'step-finish', 'finish']);
    const call = events.find((e) => e.event === 'tool-call')?.data as { toolCallId: string; toolName: string; input: unknown };
    expect(call).toMatchObject({ toolCallId: 'gSIMJiOkT', toolName: 'weather', input: { location: 'San Francisco' } });
    expect(events.find((e) => e.event === 'tool-result')?.data).toEqual({ toolCallId: 'gSIMJiOkT', toolName: 'weather', output: { location: 'San Francisco', temperature: 21, condition: 'sunny' } });
    expect(calls).toEqual([{ location: 'San Francisco' }]);

    // The answer of step 2 is the recording's text.
    const text = events.filter((e) => e.event === 'delta').map((e) => (e.data as { text: string }).text).join('');
    const recorded = (loadFixture(ANSWER).chunks ?? []).map((line) => (JSON.parse(line) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '').join('');
    expect(text).toBe(recorded);

    // Each step's usage is its recording's; the call's is their sum, and so is its cost.
    const steps = events.filter((e) => e.event === 'step-finish').map((e) => e.data as { step: number; finishReason: string; usage: { inputTokens: number; outputTokens: number }; cost: { total: number } });
    expect(steps.map((s) => [s.step, s.finishReason, s.usage.inputTokens, s.usage.outputTokens])).toEqual([
      [1, 'tool_calls', 124, 22],
      [2, 'stop', 13, 8],
    ]);
    const finish = events.at(-1)?.data as { finishReason: string; steps: number; usage: { inputTokens: number; outputTokens: number; totalTokens: number }; cost: { total: number } };
    expect(finish).toMatchObject({ finishReason: 'stop', steps: 2, usage: { inputTokens: 137, outputTokens: 30, totalTokens: 167 } });
    expect(finish.cost.total).toBeCloseTo((steps[0]?.cost.total ?? 0) + (steps[1]?.cost.total ?? 0), 12);

    // Step 2 told the model what it called and what came back.
    const second = current.upstream.requests[1]?.body as { messages: Array<Record<string, unknown>> };
    expect(second.messages.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'gSIMJiOkT', type: 'function', function: { name: 'weather', arguments: '{"location":"San Francisco"}' } }] },
      { role: 'tool', tool_call_id: 'gSIMJiOkT', content: '{"location":"San Francisco","temperature":21,"condition":"sunny"}' },
    ]);
    // The tool was offered, with its zod schema as JSON Schema.
    expect((current.upstream.requests[0]?.body as { tools: unknown }).tools).toEqual([
      { type: 'function', function: { name: 'weather', description: 'The weather in a city', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'], additionalProperties: false } } },
    ]);

    // The log keeps the trace; GET /logs/:id shows it; listeners and the tracer heard each part.
    const [entry] = await entries(current);
    expect(entry?.steps?.map((s) => [s.step, s.finishReason])).toEqual([
      [1, 'tool_calls'],
      [2, 'stop'],
    ]);
    expect(entry?.toolCalls).toMatchObject([{ step: 1, toolCallId: 'gSIMJiOkT', toolName: 'weather', runs: 'server', outcome: 'success' }]);
    expect(entry?.toolCalls?.[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(entry?.inputTokens).toBe(137);
    const byId = (await (await current.aiu.handler(new Request(`http://localhost/logs/${entry?.id}`), { clientAddress: '127.0.0.1' })).json()) as LogEntry;
    expect(byId).toEqual(entry);
    expect(heard).toEqual(['call weather server', 'result weather false']);
    expect(spans.map((s) => s.name)).toEqual(['aiu.chat', 'chat mistral-small-latest', 'execute_tool weather', 'chat mistral-small-latest']);
    expect(spans[1]?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'mistral-small-latest', 'gen_ai.usage.input_tokens': 124, 'gen_ai.usage.output_tokens': 22 });
    expect(spans[2]?.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'weather', 'gen_ai.tool.call.id': 'gSIMJiOkT' });
  });

  it('answers the same loop as one JSON result: tool calls, results, steps and the final text', async () => {
    const calls: unknown[] = [];
    const { base } = await serve({ tools: { weather: weather(calls) } });
    const response = await chat(base, { model: MODEL, messages: question, stream: false });
    expect(response.status).toBe(200);
    const result = (await response.json()) as Record<string, unknown> & { steps: Array<{ step: number }>; toolCalls: unknown[]; toolResults: unknown[]; text: string; usage: { inputTokens: number } };
    expect(result.toolCalls).toEqual([{ toolCallId: 'gSIMJiOkT', toolName: 'weather', input: { location: 'San Francisco' } }]);
    expect(result.toolResults).toEqual([{ toolCallId: 'gSIMJiOkT', toolName: 'weather', output: { location: 'San Francisco', temperature: 21, condition: 'sunny' } }]);
    expect(result.steps.map((s) => s.step)).toEqual([1, 2]);
    expect(result.text).toBe((loadFixture(ANSWER).json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content);
    expect(result.usage.inputTokens).toBe(124 + 13);
    expect(calls).toHaveLength(1);
  });

  it('hands Gemini its thoughtSignature back with the call it signed (Gemini 3 refuses a tool loop without it)', async () => {
    const { rig: current, base } = await serve({ tools: { weather: weather([]) } }, byTurn('google/google-tool-call', 'google/google-text'));
    await (await chat(base, { model: 'google:gemini-3-pro-preview', messages: question })).text();
    const second = current.upstream.requests[1]?.body as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
    const signature = (loadFixture('google/google-tool-call').chunks ?? []).map((line) => JSON.parse(line) as { candidates?: Array<{ content?: { parts?: Array<{ thoughtSignature?: string }> } }> }).flatMap((c) => c.candidates?.[0]?.content?.parts ?? []).find((p) => p.thoughtSignature)?.thoughtSignature;
    expect(signature).toBeTruthy();
    const modelTurn = second.contents.find((content) => content.role === 'model');
    expect(modelTurn?.parts).toContainEqual({ functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: signature });
    expect(second.contents.at(-1)?.parts).toEqual([{ functionResponse: { name: 'weather', response: { location: 'San Francisco', temperature: 21, condition: 'sunny' } } }]);
  });

  it('stops at maxSteps: the tools of the last step run, and the model is not called again', async () => {
    const calls: unknown[] = [];
    const { rig: current, base } = await serve({ tools: { weather: weather(calls) } });
    const { events } = parseSse(await (await chat(base, { model: MODEL, messages: question, maxSteps: 1 })).text());
    expect(current.upstream.requests).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'tool_calls', steps: 1 } });
  });

  it('offers only the active tools', async () => {
    const { rig: current, base } = await serve({ tools: { weather: weather([]), other: { inputSchema: { type: 'object' }, execute: () => 1 } } }, ANSWER);
    await (await chat(base, { model: MODEL, messages: question, activeTools: ['other'] })).text();
    expect((current.upstream.requests[0]?.body as { tools: Array<{ function: { name: string } }> }).tools.map((t) => t.function.name)).toEqual(['other']);
  });

  it('offers only the tools authorize allows for tools:use', async () => {
    const { rig: current, base } = await serve({ tools: { weather: weather([]), secret: { inputSchema: { type: 'object' }, execute: () => 1 } }, authorize: ({ action, resource }) => action !== 'tools:use' || resource.tool !== 'secret' }, ANSWER);
    await (await chat(base, { model: MODEL, messages: question })).text();
    expect((current.upstream.requests[0]?.body as { tools: Array<{ function: { name: string } }> }).tools.map((t) => t.function.name)).toEqual(['weather']);
  });

  it('tells the model a tool failed or timed out (isError), and goes on', async () => {
    const { rig: current, base } = await serve({
      tools: {
        weather: {
          inputSchema: { type: 'object', properties: { location: { type: 'string' } } },
          execute: () => {
            throw new Error('The weather service is down.');
          },
        },
      },
    });
    const { events } = parseSse(await (await chat(base, { model: MODEL, messages: question })).text());
    expect(events.find((e) => e.event === 'tool-result')?.data).toEqual({ toolCallId: 'gSIMJiOkT', toolName: 'weather', output: { error: 'The weather service is down.' }, isError: true });
    expect(events.at(-1)?.event).toBe('finish');
    expect((current.upstream.requests[1]?.body as { messages: Array<{ role: string; content: string }> }).messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'gSIMJiOkT', content: '{"error":"The weather service is down."}' });
    const [entry] = await entries(current);
    expect(entry?.toolCalls?.[0]?.outcome).toBe('error');

    await rig?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const slow = await serve({ tools: { weather: { inputSchema: { type: 'object' }, timeoutMs: 30, execute: () => new Promise(() => {}) } } });
    const timedOut = parseSse(await (await chat(slow.base, { model: MODEL, messages: question })).text());
    expect(timedOut.events.find((e) => e.event === 'tool-result')?.data).toEqual({ toolCallId: 'gSIMJiOkT', toolName: 'weather', output: { error: 'The tool weather did not finish within 30 ms.' }, isError: true });
    expect(timedOut.events.at(-1)?.event).toBe('finish');
  });

  it('refuses input that fails the tool’s zod schema, as an error result, without running it', async () => {
    let ran = false;
    const { base } = await serve({ tools: { weather: { inputSchema: z.object({ city: z.string() }), execute: () => ((ran = true), 1) } } });
    const { events } = parseSse(await (await chat(base, { model: MODEL, messages: question })).text());
    const result = events.find((e) => e.event === 'tool-result')?.data as { isError: boolean; output: { error: string } };
    expect(result.isError).toBe(true);
    expect(result.output.error).toMatch(/^Invalid input for weather/);
    expect(ran).toBe(false);
  });

  it('stops the loop and the running tool when the client goes away: the tool’s signal aborts, the call is logged as aborted', async () => {
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    let aborted = false;
    const { rig: current, base } = await serve({
      tools: {
        weather: {
          inputSchema: { type: 'object' },
          execute: (_input, ctx) =>
            new Promise((_resolve, reject) => {
              entered();
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
                reject(ctx.signal.reason);
              });
            }),
        },
      },
    });
    const client = new AbortController();
    const response = await chat(base, { model: MODEL, messages: question }, { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    void reader.read().catch(() => {});
    await started;
    client.abort();
    await expect.poll(() => aborted).toBe(true);
    await expect.poll(async () => (await entries(current))[0]?.status).toBe('aborted');
    expect(current.upstream.requests).toHaveLength(1);
  });

  it('ends the call in a typed error when a tool call’s arguments never parse', async () => {
    // The recording with its arguments cut short, as a broken proxy would deliver them.
    const dir = mkdtempSync(join(tmpdir(), 'aiu-fixtures-'));
    mkdirSync(join(dir, 'openai-compatible'));
    const chunks = readFileSync(join(FIXTURES_DIR, `${TOOL_CALL}.chunks.txt`), 'utf8').replace('{\\"location\\": \\"San Francisco\\"}', '{\\"location\\": \\"San Fr');
    writeFileSync(join(dir, 'openai-compatible', 'broken-tool-call.chunks.txt'), chunks);
    rig = await createRig({ tools: { weather: weather([]) } }, { fixturesDir: dir, fixture: 'openai-compatible/broken-tool-call' });
    server = createServer(toNodeListener(rig.aiu));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { events } = parseSse(await (await chat(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { model: MODEL, messages: question })).text());
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'invalid_tool_call' } });
    expect(events.some((e) => e.event === 'tool-call')).toBe(false);
  });
});

describe('approval and client tools: round trips over HTTP', () => {
  const guarded = (calls: unknown[]): ServerTool<{ location: string }> => ({ ...weather(calls), needsApproval: true });

  it('a tool that needs approval stops the call with approval "required"; an approved answer runs it, and the model goes on', async () => {
    const calls: unknown[] = [];
    const { rig: current, base } = await serve({ tools: { weather: guarded(calls) } });
    const first = parseSse(await (await chat(base, { model: MODEL, messages: question })).text());
    const call = first.events.find((e) => e.event === 'tool-call')?.data as { toolCallId: string; toolName: string; input: unknown; approval?: string };
    expect(call.approval).toBe('required');
    expect(first.events.some((e) => e.event === 'tool-result')).toBe(false);
    expect(first.events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'tool_calls' } });
    expect(calls).toHaveLength(0);

    const approved: ChatMessage[] = [
      ...question,
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input: call.input }] },
      { role: 'tool', content: [{ type: 'tool-approval-response', toolCallId: call.toolCallId, approved: true }] },
    ];
    const second = parseSse(await (await chat(base, { model: MODEL, messages: approved })).text());
    expect(calls).toEqual([{ location: 'San Francisco' }]);
    expect(second.events.map((e) => e.event).slice(0, 2)).toEqual(['start', 'tool-result']);
    expect(second.events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'stop' } });
    // The model saw the result in place of the approval, which no provider knows about.
    const sent = current.upstream.requests[1]?.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.toolCallId, content: '{"location":"San Francisco","temperature":21,"condition":"sunny"}' });
    const [entry] = await entries(current);
    expect(entry?.toolCalls?.map((t) => t.outcome)).toEqual(['success']);
  });

  it('a denied answer is a refusal the model sees, and the tool never runs', async () => {
    const calls: unknown[] = [];
    const { rig: current, base } = await serve({ tools: { weather: guarded(calls) } });
    const denied: ChatMessage[] = [
      ...question,
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'gSIMJiOkT', toolName: 'weather', input: { location: 'San Francisco' } }] },
      { role: 'tool', content: [{ type: 'tool-approval-response', toolCallId: 'gSIMJiOkT', approved: false, reason: 'not now' }] },
    ];
    const { events } = parseSse(await (await chat(base, { model: MODEL, messages: denied })).text());
    expect(calls).toHaveLength(0);
    expect(events.find((e) => e.event === 'tool-result')?.data).toMatchObject({ toolCallId: 'gSIMJiOkT', isError: true, output: { error: 'The user denied this call to weather: not now' } });
    const sent = current.upstream.requests[0]?.body as { messages: Array<{ role: string; content: string }> };
    expect(sent.messages.at(-1)?.content).toContain('denied');
    const [entry] = await entries(current);
    expect(entry?.toolCalls?.map((t) => t.outcome)).toEqual(['denied']);
  });

  it('a client tool ends the call with tool_calls; the client sends the result, and the model answers', async () => {
    const { rig: current, base } = await serve({});
    const tools = { weather: { description: 'Runs in the browser', inputSchema: { type: 'object', properties: { location: { type: 'string' } } } } };
    const first = parseSse(await (await chat(base, { model: MODEL, messages: question, tools })).text());
    const call = first.events.find((e) => e.event === 'tool-call')?.data as { toolCallId: string; toolName: string; input: unknown };
    expect(call).toMatchObject({ toolName: 'weather', input: { location: 'San Francisco' } });
    expect(first.events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'tool_calls' } });
    const [firstEntry] = await entries(current);
    expect(firstEntry?.toolCalls).toMatchObject([{ toolName: 'weather', runs: 'client', outcome: 'handed-to-client' }]);

    const answered: ChatMessage[] = [
      ...question,
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, input: call.input }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: call.toolCallId, toolName: call.toolName, output: { temperature: 18 } }] },
    ];
    const second = parseSse(await (await chat(base, { model: MODEL, messages: answered, tools })).text());
    expect(second.events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'stop' } });
    expect((current.upstream.requests[1]?.body as { messages: Array<Record<string, unknown>> }).messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.toolCallId, content: '{"temperature":18}' });
  });
});
