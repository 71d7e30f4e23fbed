import { AiuError, InvalidRequestError } from '@aiu/core';
import type * as z from 'zod/mini';
import { type BodyLimitOption, tooLarge } from '../http/bodyLimit';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Chat requests carry images and files inline, base64: room for a few photos or PDFs of the client's default 5 MiB. */
export const DEFAULT_MAX_CHAT_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Reads a JSON body without trusting it: content type checked, size capped while reading (never
 * buffering more than the cap), then parsed with the given schema. Only the Web `Request` API is
 * used; the Node bridge's request makes each step cheap (a declared length is read in one go, a
 * body `express.json()` parsed is handed over as its value).
 */
export async function readJson<T>(request: Request, schema: z.ZodMiniType<T>, maxBytes: number, option: BodyLimitOption = 'maxBodyBytes'): Promise<T> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AiuError('unsupported_media_type', `Send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(type.slice(0, 100) || 'none')}).`);
  }
  const length = request.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (declared > maxBytes) throw tooLarge(maxBytes, option);
  let value: unknown;
  try {
    // A declared length is what the HTTP parser holds the body to; anything else is read with the cap.
    value = Number.isFinite(declared) ? await request.json() : JSON.parse(await readCapped(request, maxBytes, option));
  } catch (error) {
    if (error instanceof SyntaxError) throw new AiuError('invalid_json', 'The request body is not valid JSON.');
    throw error;
  }
  assertNesting(value);
  return parseOrThrow(schema, value, 'request body');
}

/** Deeper than any real request; deep enough that every later JSON.stringify (metadata, logs, the provider's body) stays far from the stack's end. */
export const MAX_JSON_DEPTH = 64;

/** Refuses JSON nested deeper than `MAX_JSON_DEPTH`, walking it without recursion (a 5,000-deep value is the attack). */
export function assertNesting(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [object, number];
    if (depth > MAX_JSON_DEPTH) throw new InvalidRequestError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/** Validates with a core schema; failures become `invalid_request` with the zod issues in details. */
export function parseOrThrow<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 3)
    .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
    .join('; ');
  throw new InvalidRequestError(`Invalid ${what}: ${summary}.`, { details: { issues } });
}

const decoder = new TextDecoder();

async function readCapped(request: Request, maxBytes: number, option: BodyLimitOption): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes, option);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}
