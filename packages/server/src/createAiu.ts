import {
  type ChatEvent,
  type ChatRequestInput,
  ChatRequestSchema,
  type ChatResult,
  EmbedRequestSchema,
  type EmbedRequestInput,
  type EmbedResult,
  InvalidRequestError,
  NotFoundError,
  AiuError,
} from '@aiu/core';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { PriceBook, type Logger, type PricingOption } from './catalog/priceBook';
import { validatePricing } from './catalog/pricingOption';
import { validateOptions } from './options/validateOptions';
import { Guardrails, type GuardrailsOptions } from './guardrails/guardrails';
import { rawPathOf, unsafeRoutePath } from './http/requestTarget';
import type { BreakerOptions } from './limits/breaker';
import { Guards, type TimeoutOptions } from './limits/guards';
import type { QuotasOption } from './limits/quotas';
import type { LimitsOption } from './limits/rateLimiter';
import type { RetryOptions } from './limits/retry';
import { memoryState, type StateBackend } from './limits/state';
import type { Tracer } from './tracing';
import { Emitter, type AiuEventName, type AiuListener } from './events';
import { ModelCatalog } from './catalog/catalog';
import { ModelDiscovery } from './catalog/discovery';
import { chatRoute } from './handler/chat';
import { embedRoute } from './handler/embed';
import type { AuthorizeFn } from './handler/access';
import { deleteKeyRoute, providersRoute, saveKeyRoute, validateKeyRoute } from './handler/keys';
import { anthropicMessagesRoute } from './handler/anthropic';
import { uiChatRoute } from './handler/uiChat';
import { openAIChatRoute, openAIEmbeddingsRoute, openAIModelRoute, openAIModelsRoute } from './handler/openai';
import { Keyring } from './keyring/keyring';
import { assertMasterKeyForProduction, type MasterKeySource } from './keyring/masterKey';
import { KeyResolver } from './keyring/resolve';
import type { InstanceContext, RouteContext } from './handler/context';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CHAT_BODY_BYTES, parseOrThrow } from './handler/body';
import { healthRoute } from './handler/health';
import { exportRoute } from './handler/export';
import { logEntryRoute, logsRoute } from './handler/logs';
import { usageRoute } from './handler/usage';
import { metricsRoute } from './handler/metrics';
import { Metrics, type MetricsOption } from './metrics/metrics';
import { modelsRoute } from './handler/models';
import { errorResponse } from './handler/respond';
import { Router, type RouteOptions } from './handler/router';
import { ClientKeys } from './clientKeys/clientKeys';
import { CLIENT_KEY_PREFIX } from './clientKeys/secret';
import { createClientKeyRoute, listClientKeysRoute, revokeClientKeyRoute } from './handler/clientKeys';
import { createConversationRoute, deleteConversationRoute, getConversationRoute, listConversationsRoute, putConversationRoute } from './handler/conversations';
import { openAIErrorResponse } from './compat/openai/errors';
import { anthropicErrorResponse } from './compat/anthropic/errors';
import { PING_INTERVAL_MS } from './http/pull';
import { clientAddressOf, type ConnectionInfo } from './http/requestFacts';
import { ANONYMOUS, type IdentifyFn, type Identity } from './identity';
import { LogWriter, type LogWriterOptions } from './log/writer';
import { CallLedger } from './log/ledger';
import { InFlight } from './orchestrator/inFlight';
import { ChatCall, type ChatRuntime } from './orchestrator/chatCall';
import { DEFAULT_TOOL_TIMEOUT_MS, ServerTools, type ServerToolsOption } from './orchestrator/serverTools';
import { runEmbed } from './orchestrator/embedCall';
import { ProviderRegistry, type ProvidersOption } from './providers/registry';
import type { AiuStore } from './stores/types';
import { Abort } from './util/abort';
import { redactSecrets } from './util/redact';

export interface AiuOptions {
  /** Where the request log lives. Default: SQLite at `.aiu/aiu.db` (needs better-sqlite3). */
  store?: AiuStore;
  /** Provider id → settings. Default: every built-in provider, keys from the environment. */
  providers?: ProvidersOption;
  /**
   * Prices per 1M tokens by full model id (`openai:gpt-4o-mini`). They win over OpenRouter's
   * live prices and over the catalog (genai-prices).
   */
  pricing?: PricingOption;
  /** Who is calling; stored keys and log entries are scoped to the returned owner. */
  identify?: IdentifyFn;
  /**
   * Decides who may do what. Without it, key routes answer only loopback requests outside
   * production (403 otherwise).
   */
  authorize?: AuthorizeFn;
  /** Base64, 32 bytes; encrypts stored provider keys. Default: `AIU_MASTER_KEY`. */
  masterKey?: string;
  /** Where a development master key is kept when none is configured. Default `.aiu/master.key`. */
  masterKeyPath?: string;
  /** `false` turns stored keys off: calls use keys from code or the environment only. */
  keyring?: boolean;
  /** Where env-var keys are read from. Default: `process.env` where it exists. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Largest accepted request body, chat aside. Default 1 MiB; larger bodies get 413. */
  maxBodyBytes?: number;
  /**
   * Largest accepted chat request. Default 16 MiB: images and files travel inline (base64, a third
   * larger than the file), and the providers take up to ~20 MB per image.
   */
  maxChatBodyBytes?: number;
  /**
   * Tools aiu runs itself when the model calls them: `{ weather: { description, inputSchema, execute, needsApproval? } }`.
   * A call may use all of them (or those in its `activeTools`, and those `authorize` allows for `tools:use`).
   */
  tools?: ServerToolsOption;
  /** How long a server tool may run before the model is told it timed out. Default 60 s. */
  toolTimeoutMs?: number;
  /** Mount path to strip before routing; without it, routes match the end of the path. */
  basePath?: string;
  /** Request-log batching. */
  log?: LogWriterOptions;
  /** Interval of the `: ping` SSE comment. Default 15 s. */
  pingIntervalMs?: number;
  /** How long each provider's model list is cached. Default 10 minutes. */
  discoveryTtlMs?: number;
  /** rpm / tpm per provider and per key, concurrency per provider, and how long to queue. */
  limits?: LimitsOption;
  /** Retries on 429, 5xx and network failures (before the first byte only). */
  retries?: RetryOptions;
  /** Circuit breaker per provider+model. */
  breaker?: BreakerOptions;
  /** Budgets per owner: `{ daily: { costUsd, tokens }, monthly: { … } }`. */
  quotas?: QuotasOption;
  timeouts?: TimeoutOptions;
  /** Named fallback lists: `routes: { fast: ['groq:…', 'openai:…'] }`, then `model: 'fast'`. */
  routes?: Record<string, string[]>;
  /** Where limits, quotas and breakers live. Default: this process; `redisState()` shares them. */
  state?: StateBackend;
  /** An OpenTelemetry-shaped tracer (`trace.getTracer('aiu')`); spans per chat call. */
  tracer?: Tracer;
  /**
   * Store prompts and replies in the log (off by default). Secrets that look like keys are
   * always removed; `redact` removes what else your data needs removing; `maxChars` caps each.
   */
  logBodies?: boolean | { redact?: (text: string) => string; maxChars?: number };
  /**
   * Checks on every prompt before it leaves (`/chat` and every compatible endpoint): `secrets`
   * (default `redact`), `pii` (default `off`), `custom` checks; each `block`, `redact`, `flag`
   * or `off`, per rule set or per rule. Logged bodies are redacted by every rule regardless.
   */
  guardrails?: GuardrailsOptions;
  /**
   * `GET /metrics` in Prometheus's text format (off by default; guarded like the log routes):
   * requests, tokens, cost, latency and time to first token by provider, model and status.
   * Needs the `prom-client` package. `{ process: true }` adds Node's process metrics.
   */
  metrics?: MetricsOption;
}

export interface EmbedCallInput extends EmbedRequestInput {
  signal?: AbortSignal;
  identity?: Identity;
}

export interface ChatCallInput extends ChatRequestInput {
  signal?: AbortSignal;
  identity?: Identity;
}

export interface Aiu {
  /**
   * The Web-standard handler: mount it in any framework that speaks Request/Response. An adapter
   * that knows the peer's own address passes it as `connection.clientAddress` (key routes trust
   * loopback by default; a forwarded header is never trusted).
   */
  handler: (request: Request, connection?: ConnectionInfo) => Promise<Response>;
  /** For adapters that already know the route path relative to the mount point. */
  handleRoute: (request: Request, path: string, connection?: ConnectionInfo) => Promise<Response>;
  /** Programmatic chat. Resolves once the provider accepted the call (or rejects with a typed error). */
  chat(input: ChatCallInput & { stream: false }): Promise<ChatResult>;
  chat(input: ChatCallInput): Promise<AsyncIterable<ChatEvent>>;
  /** Programmatic embeddings: one vector per input text. */
  embed(input: EmbedCallInput): Promise<EmbedResult>;
  on<E extends AiuEventName>(event: E, listener: AiuListener<E>): () => void;
  /** Writes every queued log entry to the store. */
  flush(): Promise<void>;
  /**
   * Graceful shutdown (call it on SIGTERM): refuses new calls, waits for those in flight
   * (up to `timeoutMs`, default 30 s, then aborts them — they are logged as aborted),
   * writes every queued log entry and closes the store.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** The store, opened and migrated. */
  store(): Promise<AiuStore>;
  /** Stored provider keys; `rotate` re-encrypts them all under a new master key. */
  keyring: {
    rotate(newMasterKey: string): Promise<{ rotated: number; masterKeyId: string }>;
  };
}

export function createAiu(options: AiuOptions = {}): Aiu {
  // Server-side validation messages in English; the browser bundle stays without locales.
  z.config(en());
  validateOptions(options);
  const logger: Logger = options.logger ?? { warn: (message) => console.warn(message) };
  const env = options.env ?? (typeof process === 'undefined' ? {} : process.env);
  const events = new Emitter((error) => logger.warn(`[aiu] An event listener threw: ${String(error)}`));

  let storePromise: Promise<AiuStore> | undefined;
  const store = (): Promise<AiuStore> => {
    storePromise ??= openStore(options.store)
      .then(async (opened) => {
        await ledger.attach(opened);
        return opened;
      })
      .catch((error: unknown) => {
        storePromise = undefined;
        throw error;
      });
    return storePromise;
  };

  const log = new LogWriter(store, logger, options.log);
  const ledger = new CallLedger(store, logger);
  const catalog = new ModelCatalog();
  const production = env.NODE_ENV === 'production';
  const masterKeySource: MasterKeySource = {
    configured: options.masterKey ?? env.AIU_MASTER_KEY,
    production,
    devKeyPath: options.masterKeyPath ?? '.aiu/master.key',
    warn: (message) => logger.warn(message),
  };
  const keyring = options.keyring === false ? null : new Keyring(store, masterKeySource);
  if (keyring) assertMasterKeyForProduction(masterKeySource);
  const providers = new ProviderRegistry(options.providers);
  const clientKeys = new ClientKeys(store, { warn: (message) => logger.warn(redactSecrets(message)) });
  const inflight = new InFlight((message) => logger.warn(redactSecrets(message)));
  const guardrails = new Guardrails(options.guardrails);
  const metrics = options.metrics ? new Metrics(options.metrics === true ? {} : options.metrics, () => inflight.size) : null;
  const runtime: ChatRuntime = {
    inflight,
    guardrails,
    bodies: bodyLogger(options.logBodies, guardrails),
    providers,
    keys: new KeyResolver(keyring, providers, env),
    clientKeys,
    guards: new Guards(options.state ?? memoryState(), options),
    routes: validateRoutes(options.routes ?? {}),
    tracer: options.tracer,
    prices: new PriceBook(validatePricing(options.pricing ?? {}), logger, catalog),
    catalog,
    serverTools: new ServerTools(options.tools, options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS),
    log,
    ledger,
    events,
    env,
    metrics,
  };

  const discovery = new ModelDiscovery(runtime, catalog, options.discoveryTtlMs);

  const instance: InstanceContext = {
    runtime,
    scoped: Boolean(options.identify),
    store,
    log,
    discovery,
    catalog,
    keyring,
    clientKeys,
    authorize: options.authorize,
    production,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxChatBodyBytes: options.maxChatBodyBytes ?? DEFAULT_MAX_CHAT_BODY_BYTES,
    pingIntervalMs: options.pingIntervalMs ?? PING_INTERVAL_MS,
  };

  const router = new Router<RouteContext>()
    .add('POST', '/chat', chatRoute)
    .add('POST', '/embed', embedRoute)
    .add('GET', '/models', modelsRoute)
    .add('GET', '/health', healthRoute)
    .add('GET', '/logs', logsRoute)
    .add('GET', '/logs/export', exportRoute)
    .add('GET', '/logs/:id', logEntryRoute)
    .add('GET', '/usage', usageRoute)
    .add('GET', '/metrics', metricsRoute(metrics))
    .add('GET', '/providers', providersRoute)
    .add('POST', '/keys', saveKeyRoute)
    .add('POST', '/keys/validate', validateKeyRoute)
    .add('DELETE', '/keys/:provider/:alias', deleteKeyRoute)
    .add('POST', '/client-keys', createClientKeyRoute)
    .add('GET', '/client-keys', listClientKeysRoute)
    .add('DELETE', '/client-keys/:id', revokeClientKeyRoute)
    .add('GET', '/conversations', listConversationsRoute)
    .add('POST', '/conversations', createConversationRoute)
    .add('GET', '/conversations/:id', getConversationRoute)
    .add('PUT', '/conversations/:id', putConversationRoute)
    .add('DELETE', '/conversations/:id', deleteConversationRoute)
    // What OpenAI's clients speak (ARCHITECTURE.md, "Other protocols"): longer paths win over /models.
    .add('POST', '/v1/chat/completions', openAIChatRoute, OPENAI_ROUTE)
    .add('POST', '/v1/embeddings', openAIEmbeddingsRoute, OPENAI_ROUTE)
    .add('GET', '/v1/models', openAIModelsRoute, OPENAI_ROUTE)
    .add('GET', '/v1/models/:id', openAIModelRoute, OPENAI_ROUTE)
    .add('GET', '/v1/models/:id/:rest', openAIModelRoute, OPENAI_ROUTE)
    .add('POST', '/v1/messages', anthropicMessagesRoute, { requiresCaller: true, errors: anthropicErrorResponse })
    .add('POST', '/ui/chat', uiChatRoute, { requiresCaller: true });

  const basePath = options.basePath?.replace(/\/+$/, '');
  let closed = false;

  /**
   * Who is calling: a client key when the request carries one (and then only the key: a key that
   * does not check out is a 401, never a fall back to `identify`), else what `identify` says.
   */
  async function callerOf(request: Request, route: RouteOptions): Promise<Identity> {
    const secret = clientKeyOf(request);
    if (secret !== undefined) return clientKeys.authenticate(secret);
    const identity = await identify(request);
    if (route.requiresCaller && identity === ANONYMOUS) {
      throw new AiuError('unauthorized', 'This route needs a client key: send Authorization: Bearer aiu_… or x-api-key: aiu_… (POST /client-keys makes one).');
    }
    return identity;
  }

  async function identify(request: Request): Promise<Identity> {
    if (!options.identify) return ANONYMOUS;
    try {
      return (await options.identify(request)) ?? ANONYMOUS;
    } catch (error) {
      if (AiuError.isInstance(error)) throw error;
      throw new AiuError('unauthorized', 'Could not tell who is calling.');
    }
  }

  async function route(request: Request, path: string, exact: boolean, connection: ConnectionInfo | undefined): Promise<Response> {
    let errors = errorResponse;
    try {
      if (closed) throw new AiuError('upstream_unreachable', 'This aiu instance is shutting down.');
      const found = router.lookup(request.method, path, exact);
      if (found.kind === 'not_found') throw new NotFoundError(`No route ${request.method} ${path}.`);
      if (found.kind === 'method_not_allowed') {
        return errorResponse(new AiuError('method_not_allowed', `${request.method} is not allowed here; use ${found.allow.join(', ')}.`), {
          allow: found.allow.join(', '),
        });
      }
      errors = found.match.options.errors ?? errorResponse;
      const context = routeContext(instance, await callerOf(request, found.match.options), clientAddressOf(request, connection));
      return await found.match.handle(request, found.match.params, context);
    } catch (error) {
      if (!AiuError.isInstance(error)) logger.warn(redactSecrets(`[aiu] Unexpected error on ${request.method} ${path}: ${describe(error)}`));
      return errors(error);
    }
  }

  async function handler(request: Request, connection?: ConnectionInfo): Promise<Response> {
    let pathname: string;
    try {
      pathname = new URL(request.url).pathname;
    } catch {
      return errorResponse(new InvalidRequestError('The request URL is malformed.'));
    }
    const unsafe = unsafeRoutePath(rawPathOf(request.url));
    if (unsafe) return errorResponse(unsafe);
    if (basePath) {
      if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) {
        return errorResponse(new NotFoundError(`No route ${request.method} ${pathname}.`));
      }
      return route(request, pathname.slice(basePath.length) || '/', true, connection);
    }
    return route(request, pathname, false, connection);
  }

  const handleRoute = (request: Request, path: string, connection?: ConnectionInfo): Promise<Response> => {
    const unsafe = unsafeRoutePath(path);
    return unsafe ? Promise.resolve(errorResponse(unsafe)) : route(request, path, true, connection);
  };

  const refuseWhenClosed = () => {
    if (closed) throw new AiuError('upstream_unreachable', 'This aiu instance is shutting down.');
  };

  async function chat(input: ChatCallInput): Promise<AsyncIterable<ChatEvent> | ChatResult> {
    refuseWhenClosed();
    const { signal, identity, ...rest } = input;
    const request = parseOrThrow(ChatRequestSchema, rest, 'chat request');
    const call = new ChatCall(runtime, request, identity ?? ANONYMOUS, signal);
    if (request.stream === false) return call.complete();
    const stream = call.stream();
    const first = await stream.next();
    return (async function* () {
      if (!first.done) yield first.value;
      yield* stream;
    })();
  }

  async function embed(input: EmbedCallInput): Promise<EmbedResult> {
    refuseWhenClosed();
    const { signal, identity, ...rest } = input;
    const request = parseOrThrow(EmbedRequestSchema, rest, 'embed request');
    const abort = new Abort();
    const stopFollowing = signal ? abort.followSignal(signal) : undefined;
    try {
      return await runEmbed(runtime, request, identity ?? ANONYMOUS, abort);
    } finally {
      stopFollowing?.();
    }
  }

  const aiu: Aiu = {
    handler,
    handleRoute,
    chat: chat as Aiu['chat'],
    embed,
    keyring: {
      rotate: (newMasterKey) => {
        if (!keyring) throw new Error('[aiu] The keyring is turned off (createAiu({ keyring: false })).');
        return keyring.rotate(newMasterKey);
      },
    },
    on: (event, listener) => events.on(event, listener),
    flush: () => log.flush(),
    store,
    async close({ timeoutMs = 30_000 } = {}) {
      closed = true;
      await inflight.drain(timeoutMs);
      await log.flush();
      if (log.pending > 0) throw new Error(`[aiu] ${log.pending} log entries could not be written before close.`);
      await ledger.close();
      if (storePromise) await (await storePromise).close();
      await runtime.guards.state.close?.();
    },
  };
  return aiu;
}

const OPENAI_ROUTE: RouteOptions = { requiresCaller: true, errors: openAIErrorResponse };

/** The client key a request carries, as OpenAI's clients send it (`Authorization: Bearer`) or Anthropic's (`x-api-key`). */
function clientKeyOf(request: Request): string | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization !== null && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    const token = authorization.slice(7).trim();
    if (token.startsWith(CLIENT_KEY_PREFIX)) return token;
  }
  const apiKey = request.headers.get('x-api-key');
  return apiKey !== null && apiKey.startsWith(CLIENT_KEY_PREFIX) ? apiKey.trim() : undefined;
}

/** Written out field by field: an object spread here cost more per request than routing does. */
function routeContext(instance: InstanceContext, identity: Identity, clientAddress: string | undefined): RouteContext {
  return {
    runtime: instance.runtime,
    scoped: instance.scoped,
    store: instance.store,
    log: instance.log,
    discovery: instance.discovery,
    catalog: instance.catalog,
    keyring: instance.keyring,
    clientKeys: instance.clientKeys,
    authorize: instance.authorize,
    production: instance.production,
    maxBodyBytes: instance.maxBodyBytes,
    maxChatBodyBytes: instance.maxChatBodyBytes,
    pingIntervalMs: instance.pingIntervalMs,
    identity,
    clientAddress,
  };
}

function bodyLogger(option: AiuOptions['logBodies'], guardrails: Guardrails): ((text: string) => string) | null {
  if (!option) return null;
  const { redact, maxChars = 20_000 } = option === true ? {} : option;
  return (text) => {
    const clean = guardrails.redactForLog(redactSecrets(redact ? redact(text) : text));
    return clean.length > maxChars ? `${clean.slice(0, maxChars)}…[truncated]` : clean;
  };
}

function validateRoutes(routes: Record<string, string[]>): Record<string, string[]> {
  for (const [name, targets] of Object.entries(routes)) {
    if (name.includes(':')) throw new TypeError(`Route name "${name}" must not contain ":" (model ids do).`);
    if (!Array.isArray(targets) || targets.length === 0) throw new TypeError(`Route "${name}" needs at least one model id.`);
  }
  return routes;
}

async function openStore(store: AiuStore | undefined): Promise<AiuStore> {
  const chosen = store ?? (await import('./stores/sqlite')).sqliteStore();
  await chosen.init();
  return chosen;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
