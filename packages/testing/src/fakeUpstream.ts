import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FIXTURES_DIR, loadFixture, type Fixture } from './fixtures';

export type WireFormat = 'openai' | 'anthropic' | 'google' | 'ollama';

type Route = WireFormat | 'models' | 'embeddings' | 'google-embed' | 'ollama-tags' | 'ollama-embed' | 'openrouter-models' | 'unknown';

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  format: Route;
  receivedAt: number;
  /** When the client closed the connection before the response finished. */
  closedAt: number | null;
  /** True once the whole response was written. */
  completed: boolean;
  /** Which TCP connection carried it (1, 2, … in the order they were opened): shows keep-alive reuse. */
  connection: number;
}

export interface FakeUpstreamBehaviour {
  /**
   * Fixture to replay (`openai/openai-text`), or a function choosing one per request.
   * Default: the recording made with the requested model, else the format's main recording.
   */
  fixture?: string | ((request: RecordedRequest) => string);
  /**
   * When a request offers tools, replay a recording that calls one: `offered` (default) whenever
   * one it offers was recorded; `asked`, only when the last user message names that tool (a demo:
   * "what's the weather" calls `weather`, "invent a holiday" gets text).
   */
  toolCalls?: 'offered' | 'asked';
  /** Wait between streamed chunks. */
  chunkDelayMs?: number;
  /** Wait before the response headers. */
  firstByteDelayMs?: number;
  /** Wait after the headers, before the first streamed chunk. */
  firstChunkDelayMs?: number;
  /** Stop after this many chunks: `destroy` drops the connection, `end` closes it cleanly. */
  cutAfterChunks?: number;
  cutMode?: 'destroy' | 'end';
  /** Answer with this status instead of a fixture: `body` as given, or a recorded error body by `fixture` name. */
  error?: { status: number; body?: unknown; fixture?: string; headers?: Record<string, string> };
  /** Answer the first N requests with `error`, then behave normally. */
  errorTimes?: number;
  /**
   * Drop the connection instead of answering the next N requests that arrive on a kept-alive
   * connection (one that already carried a request): what a client meets when the server's idle
   * timeout closes the connection just as the client reuses it.
   */
  dropReusedConnections?: number;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:<port>` — append the provider's path prefix (`/v1`). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Connections open now, and the most ever open at once. */
  readonly connections: { readonly open: number; readonly max: number };
  /** Change behaviour for the following requests. */
  set(behaviour: FakeUpstreamBehaviour): void;
  /** Forget recorded requests and reset behaviour to the start options. */
  reset(): void;
  /** Resolves when request `index` is closed by the client (or rejects after `timeoutMs`). */
  waitForClientClose(index: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const DEFAULT_FIXTURE: Record<WireFormat, string> = {
  openai: 'openai/openai-text',
  anthropic: 'anthropic/anthropic-text',
  google: 'google/google-text',
  ollama: 'ollama/ollama-text',
};

/** Routes answered with one fixed JSON body. */
const STATIC_JSON: Partial<Record<Route, string>> = {
  embeddings: 'openai/openai-embedding',
  'google-embed': 'google/google-embedding',
  'ollama-tags': 'ollama/ollama-tags',
  'ollama-embed': 'ollama/ollama-embed',
  'openrouter-models': 'openrouter/openrouter-models',
};

/**
 * A provider stand-in on an ephemeral loopback port that replays the recorded
 * responses in each provider's own wire format (Chat Completions, Anthropic Messages,
 * Gemini generateContent). Tests point a provider's `baseURL` at it.
 */
export async function startFakeUpstream(
  initial: FakeUpstreamBehaviour & { fixturesDir?: string } = {},
): Promise<FakeUpstream> {
  const fixturesDir = initial.fixturesDir ?? FIXTURES_DIR;
  let behaviour: FakeUpstreamBehaviour = { ...initial };
  let errorsLeft = behaviour.errorTimes ?? Infinity;
  let dropsLeft = behaviour.dropReusedConnections ?? 0;
  const requests: RecordedRequest[] = [];
  const closeWaiters = new Map<number, Array<(at: number) => void>>();
  const connections = { open: 0, max: 0 };
  const cache = new Map<string, Fixture>();
  const fixture = (name: string) => {
    let found = cache.get(name);
    if (!found) cache.set(name, (found = loadFixture(name, fixturesDir)));
    return found;
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const connectionIds = new WeakMap<object, number>();
  const servedOn = new WeakMap<object, number>();
  let openedConnections = 0;
  server.on('connection', (socket) => connectionIds.set(socket, ++openedConnections));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    connections.open += 1;
    connections.max = Math.max(connections.max, connections.open);
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { ...req.headers },
      body: parseJson(raw),
      format: detectFormat(req.method ?? 'GET', req.url ?? '/'),
      receivedAt: Date.now(),
      closedAt: null,
      completed: false,
      connection: connectionIds.get(req.socket) ?? 0,
    };
    const index = requests.push(record) - 1;
    const served = servedOn.get(req.socket) ?? 0;
    servedOn.set(req.socket, served + 1);
    if (served > 0 && dropsLeft > 0) {
      dropsLeft -= 1;
      connections.open -= 1;
      req.socket.destroy();
      return;
    }
    // A response stops counting as open once it is fully written (keep-alive sockets linger).
    let counted = true;
    const done = () => {
      if (counted) connections.open -= 1;
      counted = false;
    };
    res.once('finish', done);
    res.once('close', () => {
      done();
      if (!record.completed) {
        record.closedAt = Date.now();
        for (const resolve of closeWaiters.get(index) ?? []) resolve(record.closedAt);
        closeWaiters.delete(index);
      }
    });
    res.once('finish', () => {
      record.completed = true;
    });

    const current = behaviour;
    if (current.firstByteDelayMs) await sleep(current.firstByteDelayMs);
    if (res.destroyed) return;

    if (current.error && errorsLeft > 0) {
      errorsLeft -= 1;
      const { status, body, headers } = current.error;
      const payload = current.error.fixture ? fixture(current.error.fixture).json : body;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload ?? { error: { message: 'fake upstream error' } }));
      return;
    }

    const staticBody = STATIC_JSON[record.format];
    if (staticBody) return sendJson(res, fixture(staticBody).json);
    if (record.format === 'models') return sendJson(res, { object: 'list', data: modelList(fixture) });
    if (!isWireFormat(record.format)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake upstream: no route ${record.method} ${record.url}` } }));
      return;
    }
    const format = record.format;
    const name =
      typeof current.fixture === 'function'
        ? current.fixture(record)
        : (current.fixture ?? recordedFor(record, format, fixture, current.toolCalls ?? 'offered') ?? DEFAULT_FIXTURE[format]);
    const chosen = fixture(name);
    if (wantsStream(record)) return streamFixture(res, format, chosen, current);
    return sendJson(res, chosen.json);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections,
    set(next) {
      behaviour = { ...behaviour, ...next };
      errorsLeft = next.errorTimes ?? (next.error ? Infinity : errorsLeft);
      dropsLeft = next.dropReusedConnections ?? dropsLeft;
    },
    reset() {
      requests.length = 0;
      behaviour = { ...initial };
      errorsLeft = behaviour.errorTimes ?? Infinity;
      dropsLeft = behaviour.dropReusedConnections ?? 0;
      connections.max = connections.open;
    },
    waitForClientClose(index, timeoutMs = 5000) {
      const existing = requests[index]?.closedAt;
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`request ${index} was not closed within ${timeoutMs} ms`)), timeoutMs);
        const list = closeWaiters.get(index) ?? [];
        list.push((at) => {
          clearTimeout(timer);
          resolve(at);
        });
        closeWaiters.set(index, list);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const RECORDED_CHAT = [
  'openai/openai-text',
  'openai-compatible/mistral-text',
  'openai-compatible/deepseek-text',
  'openai-compatible/xai-text',
  'anthropic/anthropic-text',
  'google/google-text',
  'openrouter/openrouter-text',
  'ollama/ollama-text',
];

/** Recordings of a model calling a tool, per wire: replayed when a request offers the tool they call. */
const RECORDED_TOOL_CALLS: Partial<Record<WireFormat, string[]>> = {
  openai: ['openai-compatible/mistral-tool-call', 'openai-compatible/groq-tool-call', 'openai-compatible/alibaba-tool-call', 'openai-compatible/mistral-incremental-tool-call'],
  anthropic: ['anthropic/anthropic-json-tool.1', 'anthropic/anthropic-tool-no-args'],
  google: ['google/google-tool-call', 'google/google-stream-tool-call-arguments'],
};

/** Recordings of JSON output, per wire: replayed when a request asks for JSON. */
const RECORDED_JSON: Partial<Record<WireFormat, string>> = {
  openai: 'openai-compatible/deepseek-json',
  anthropic: 'anthropic/anthropic-json-output-format.1',
};

/** A Chat Completions recording whose reply streams its reasoning (`reasoning_content`). */
const RECORDED_REASONING = 'openai-compatible/xai-text';

/**
 * Model families that reason before they answer (OpenAI's o-series and GPT-5, DeepSeek's reasoner,
 * Grok's mini and reasoning models, Magistral, QwQ, "thinking" variants): a demo of one should show
 * reasoning even though only Grok's was recorded.
 */
const REASONING_MODEL = /^(?:o\d|gpt-5|deepseek-reasoner|grok-3-mini|grok-4(?!.*non-reasoning)|magistral|qwq)|reasoning|thinking/i;

/** A request for a reasoning model, or one that asks for reasoning. */
function wantsReasoning(body: Record<string, unknown> | null): boolean {
  if (body?.reasoning_effort !== undefined || body?.reasoning !== undefined) return true;
  return typeof body?.model === 'string' && REASONING_MODEL.test(body.model);
}

/** The tools a request offers, by name, in each wire's shape. */
function offeredTools(body: Record<string, unknown> | null): Set<string> {
  const names = new Set<string>();
  for (const tool of (body?.tools as Array<Record<string, unknown>> | undefined) ?? []) {
    const name = (tool.function as { name?: unknown } | undefined)?.name ?? tool.name;
    if (typeof name === 'string') names.add(name);
    for (const declaration of (tool.functionDeclarations as Array<{ name?: unknown }> | undefined) ?? []) if (typeof declaration.name === 'string') names.add(declaration.name);
  }
  return names;
}

/** The offered tools the last user message names. */
function askedFor(body: Record<string, unknown> | null, offered: Set<string>): Set<string> {
  const turns = (body?.messages ?? body?.contents ?? []) as Array<{ role?: unknown }>;
  const last = [...turns].reverse().find((turn) => turn.role === 'user');
  const text = JSON.stringify(last ?? '').toLowerCase();
  return new Set([...offered].filter((tool) => text.includes(tool.toLowerCase())));
}

/** Whether the conversation already holds a tool's result: then the model answers, it does not call again. */
function hasToolResult(body: Record<string, unknown> | null): boolean {
  const text = JSON.stringify(body?.messages ?? body?.contents ?? []);
  return text.includes('"role":"tool"') || text.includes('"tool_result"') || text.includes('"functionResponse"');
}

/** The tools a recording calls, read from its text (whole calls and streamed ones alike). */
function calledTools(fixture: Fixture): string[] {
  const text = `${(fixture.chunks ?? []).join('\n')}\n${JSON.stringify(fixture.json)}`;
  return [...text.matchAll(/"(?:function|functionCall)":\{"name":"([^"]+)"|"type":"tool_use","id":"[^"]+","name":"([^"]+)"/g)].map((match) => match[1] ?? match[2] ?? '').filter(Boolean);
}

/**
 * The recording that fits a request: one that calls a tool the request offers (until the
 * conversation holds its result), one with JSON output when JSON is asked for, else the one made
 * with the requested model.
 */
function recordedFor(record: RecordedRequest, format: WireFormat, fixture: (name: string) => Fixture, toolCalls: 'offered' | 'asked'): string | undefined {
  const body = (typeof record.body === 'object' ? record.body : null) as Record<string, unknown> | null;
  const offered = toolCalls === 'asked' ? askedFor(body, offeredTools(body)) : offeredTools(body);
  const streamed = wantsStream(record);
  if (offered.size && !hasToolResult(body)) {
    const match = RECORDED_TOOL_CALLS[format]?.find((name) => {
      const recording = fixture(name);
      return (streamed ? recording.chunks : recording.json) && calledTools(recording).some((tool) => offered.has(tool));
    });
    if (match) return match;
  }
  if (format === 'openai' && wantsReasoning(body)) return RECORDED_REASONING;
  const wantsJson = body?.response_format !== undefined || body?.output_config !== undefined || (body?.generationConfig as { responseMimeType?: unknown } | undefined)?.responseMimeType === 'application/json';
  const json = RECORDED_JSON[format];
  if (wantsJson && json && (streamed ? fixture(json).chunks : fixture(json).json)) return json;
  return recordedForModel(record, fixture);
}

/** The recording whose response names the model this request asked for. */
function recordedForModel(record: RecordedRequest, fixture: (name: string) => Fixture): string | undefined {
  const requested =
    (record.body as { model?: unknown } | null)?.model ?? /\/models\/([^/:]+):/.exec(record.url)?.[1];
  if (typeof requested !== 'string') return undefined;
  return RECORDED_CHAT.find((name) => {
    const json = fixture(name).json as { model?: unknown; modelVersion?: unknown } | null;
    return json?.model === requested || json?.modelVersion === requested;
  });
}

function isWireFormat(route: Route): route is WireFormat {
  return route in DEFAULT_FIXTURE;
}

function detectFormat(method: string, url: string): Route {
  const path = url.split('?')[0] ?? '';
  if (method === 'POST') {
    if (path.endsWith('/chat/completions')) return 'openai';
    if (path.endsWith('/messages')) return 'anthropic';
    if (/:(stream)?generateContent$/i.test(path)) return 'google';
    if (path.endsWith(':batchEmbedContents')) return 'google-embed';
    if (path.endsWith('/embeddings')) return 'embeddings';
    if (path.endsWith('/api/chat')) return 'ollama';
    if (path.endsWith('/api/embed')) return 'ollama-embed';
  }
  if (method === 'GET') {
    if (path.endsWith('/api/tags')) return 'ollama-tags';
    if (path.endsWith('/api/v1/models')) return 'openrouter-models';
    if (path.endsWith('/models')) return 'models';
  }
  return 'unknown';
}

function wantsStream(record: RecordedRequest): boolean {
  if (record.format === 'google') return record.url.includes(':streamGenerateContent');
  const stream = (record.body as { stream?: unknown } | null)?.stream;
  // Ollama streams unless told not to; the others only when asked.
  return record.format === 'ollama' ? stream !== false : stream === true;
}

/** A fixture's lines as its provider framed them, worked out once per fixture and format. */
const framed = new WeakMap<ReadonlyArray<string>, Map<WireFormat, Framing>>();

interface Framing {
  events: string[];
  /** Every event as its own HTTP/1.1 chunk, then the last chunk: the body as paced writes frame it. */
  chunked: string;
}

function framing(format: WireFormat, lines: ReadonlyArray<string>): Framing {
  let byFormat = framed.get(lines);
  if (!byFormat) framed.set(lines, (byFormat = new Map()));
  let found = byFormat.get(format);
  if (!found) {
    const events = lines.map((line) => {
      if (format === 'ollama') return `${line}\n`;
      if (format !== 'anthropic') return `data: ${line}\n\n`;
      const type = (parseJson(line) as { type?: string } | null)?.type ?? 'message';
      return `event: ${type}\ndata: ${line}\n\n`;
    });
    if (format === 'openai') events.push('data: [DONE]\n\n');
    const chunked = events.map((event) => `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`).join('') + '0\r\n\r\n';
    byFormat.set(format, (found = { events, chunked }));
  }
  return found;
}

/**
 * Serves each recorded line as its provider did: `data:` lines, Anthropic's `event:`
 * names, OpenAI's `[DONE]`, Ollama's bare NDJSON lines.
 */
async function streamFixture(res: ServerResponse, format: WireFormat, fixture: Fixture, behaviour: FakeUpstreamBehaviour): Promise<void> {
  if (!fixture.chunks) throw new Error(`fixture ${fixture.name} has no .chunks.txt`);
  const ndjson = format === 'ollama';
  res.writeHead(200, { 'content-type': ndjson ? 'application/x-ndjson' : 'text/event-stream', 'cache-control': 'no-cache', 'transfer-encoding': 'chunked' });
  const { events, chunked } = framing(format, fixture.chunks);
  if (behaviour.firstChunkDelayMs) {
    res.flushHeaders();
    await sleep(behaviour.firstChunkDelayMs);
  }
  if (!behaviour.chunkDelayMs && behaviour.cutAfterChunks === undefined) {
    // Unpaced, every event still travels as its own HTTP chunk (as providers flush them, and as
    // writes in a loop would frame them), but framed once per fixture and sent as one write:
    // a write call per event cost a benchmark's upstream more than the gateways it measures.
    if (res.destroyed) return;
    res.chunkedEncoding = false;
    res.end(chunked);
    return;
  }
  for (let i = 0; i < events.length; i++) {
    if (behaviour.cutAfterChunks !== undefined && i >= behaviour.cutAfterChunks) {
      if (behaviour.cutMode === 'end') res.end();
      else {
        // Let what was written reach the client first, then drop the connection mid-body.
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        res.destroy();
      }
      return;
    }
    if (res.destroyed) return;
    // The last event goes out with the end of the body, as providers send it.
    if (i === events.length - 1) return void res.end(events[i]);
    res.write(events[i]);
    if (behaviour.chunkDelayMs) await sleep(behaviour.chunkDelayMs);
  }
  res.end();
}

function modelList(fixture: (name: string) => Fixture): Array<Record<string, unknown>> {
  // The models the recordings were made with, in OpenAI's /models list shape.
  const ids = new Set<string>();
  for (const name of RECORDED_CHAT.filter((n) => n.startsWith('openai'))) {
    const model = (fixture(name).json as { model?: unknown } | null)?.model;
    if (typeof model === 'string') ids.add(model);
  }
  ids.add('text-embedding-3-small');
  return [...ids].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake-upstream' }));
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
