import {
  AiuError,
  type ConversationList,
  ConversationListQuerySchema,
  ConversationIdSchema,
  type ConversationSummary,
  InvalidRequestError,
  NotFoundError,
  type SaveConversationRequest,
  SaveConversationRequestSchema,
} from '@aiu/core';
import type { ConversationStore, ConversationSummaryRow } from '../conversations/types';
import { randomBase64Url } from '../util/base64url';
import { ownerOf } from '../keyring/resolve';
import { type AiuAction, requireGuardedAccess } from './access';
import { parseOrThrow, readJson } from './body';
import type { RouteContext } from './context';
import { decodeCursor, encodeCursor } from './logs';
import { empty, json, jsonText } from './respond';

type Params = Record<string, string>;

/** GET /conversations: the caller's threads, last saved first, without their messages. */
export async function listConversationsRoute(request: Request, _params: Params, ctx: RouteContext): Promise<Response> {
  const query = parseOrThrow(ConversationListQuerySchema, Object.fromEntries(new URL(request.url).searchParams), 'conversation query');
  const store = await conversationsOf(request, ctx, 'conversations:read');
  const limit = query.limit ?? 50;
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await store.list(ownerOf(ctx.identity), { limit: limit + 1, before: cursor && { updatedAt: cursor.time, id: cursor.id } });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const body: ConversationList = { conversations: page.map(toSummary), nextCursor: rows.length > limit && last ? encodeCursor(last.updatedAt, last.id) : null };
  return json(body);
}

/** GET /conversations/:id: the thread as it was saved, with its version as the ETag. */
export async function getConversationRoute(request: Request, params: Params, ctx: RouteContext): Promise<Response> {
  const id = conversationId(params);
  const store = await conversationsOf(request, ctx, 'conversations:read');
  const row = await store.get(ownerOf(ctx.identity), id);
  // Another owner's thread answers exactly like a missing one.
  if (!row) throw new NotFoundError(`No conversation ${id}.`);
  // The stored body is already JSON: spliced in, not parsed and written again.
  const summary = JSON.stringify(toSummary(row));
  return jsonText(`${summary.slice(0, -1)},${row.body.slice(1)}`, { headers: { etag: etagOf(row.version) } });
}

/** POST /conversations: a new thread under an id the server picks. */
export async function createConversationRoute(request: Request, _params: Params, ctx: RouteContext): Promise<Response> {
  // Who may write is settled before a byte of the body is read.
  const store = await conversationsOf(request, ctx, 'conversations:write');
  const body = await readJson(request, SaveConversationRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
  return save(store, ctx, `conv_${randomBase64Url(12)}`, body, 0, 201);
}

/**
 * PUT /conversations/:id: creates or replaces the whole thread (ids chosen by the client let an
 * app save before the server answers). `If-Match: "<version>"` replaces only that version and
 * `If-None-Match: *` only creates; a newer save elsewhere is a 409 naming the stored version.
 */
export async function putConversationRoute(request: Request, params: Params, ctx: RouteContext): Promise<Response> {
  const id = conversationId(params);
  const expected = expectedVersion(request);
  const store = await conversationsOf(request, ctx, 'conversations:write');
  const body = await readJson(request, SaveConversationRequestSchema, ctx.maxChatBodyBytes, 'maxChatBodyBytes');
  return save(store, ctx, id, body, expected, 200);
}

/** DELETE /conversations/:id: 204; a thread that is not the caller's is a 404. */
export async function deleteConversationRoute(request: Request, params: Params, ctx: RouteContext): Promise<Response> {
  const id = conversationId(params);
  const store = await conversationsOf(request, ctx, 'conversations:write');
  if (!(await store.remove(ownerOf(ctx.identity), id))) throw new NotFoundError(`No conversation ${id}.`);
  return empty(204);
}

async function save(store: ConversationStore, ctx: RouteContext, id: string, body: SaveConversationRequest, expected: number | undefined, status: number): Promise<Response> {
  const now = Date.now();
  const outcome = await store.save(
    {
      owner: ownerOf(ctx.identity),
      id,
      title: body.title || titleOf(body.messages),
      model: body.model ?? null,
      messageCount: body.messages.length,
      body: JSON.stringify({ messages: body.messages, metadata: body.metadata ?? {} }),
      createdAt: now,
      updatedAt: now,
    },
    expected,
  );
  if ('conflict' in outcome) {
    const { version } = outcome.conflict;
    throw new AiuError(
      'conflict',
      version === null ? `Conversation ${id} does not exist (If-Match expected version ${expected}).` : `Conversation ${id} was saved elsewhere: it is at version ${version}; load it and save again.`,
      { details: { version } },
    );
  }
  const summary: ConversationSummary = toSummary(outcome.saved);
  return json(summary, { status: outcome.saved.version === 1 ? 201 : status, headers: { etag: etagOf(summary.version) } });
}

/** Conversation routes are guarded like the log: they hold what people wrote. */
async function conversationsOf(request: Request, ctx: RouteContext, action: AiuAction): Promise<ConversationStore> {
  await requireGuardedAccess(request, ctx, action, { owner: ownerOf(ctx.identity) }, {
    routes: 'Conversation routes',
    productionReason: 'they hold what people wrote',
    refuseClientKeys: true,
  });
  const store = (await ctx.store()).conversations;
  if (!store) throw new AiuError('not_implemented', 'This store keeps no conversations.');
  return store;
}

function conversationId(params: Params): string {
  const parsed = ConversationIdSchema.safeParse(params.id ?? '');
  if (!parsed.success) throw new NotFoundError('No conversation with that id.');
  return parsed.data;
}

function expectedVersion(request: Request): number | undefined {
  const ifMatch = request.headers.get('if-match');
  if (ifMatch !== null && ifMatch.trim() !== '*') {
    const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
    if (!match) throw new InvalidRequestError('If-Match must be a version this server sent as an ETag, like "3".', { details: { header: 'if-match' } });
    return Number(match[1]);
  }
  if (request.headers.get('if-none-match')?.trim() === '*') return 0;
  return undefined;
}

const etagOf = (version: number) => `"${version}"`;

function toSummary(row: ConversationSummaryRow): ConversationSummary {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    messageCount: row.messageCount,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    version: row.version,
  };
}

/** A thread's title when the app gives none: the start of its first user message. */
function titleOf(messages: SaveConversationRequest['messages']): string {
  const first = messages.find((message) => message.role === 'user');
  const text = (first?.parts ?? [])
    .flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : []))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 80 ? `${text.slice(0, 79)}…` : text || 'New chat';
}
