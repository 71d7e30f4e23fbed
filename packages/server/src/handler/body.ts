import { AiuError, InvalidRequestError, PayloadTooLargeError } from '@aiu/core';
import { type IncomingRequest, parsedBodyOf, rawBodyOf } from './incoming';
import * as z from 'zod/mini';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON body without trusting it: content type checked, size capped while
 * reading (never buffering more than the cap), then parsed with the given schema.
 */
export async function readJson<T>(request: IncomingRequest, schema: z.ZodMiniType<T>, maxBytes: number): Promise<T> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new AiuError('unsupported_media_type', `Send the body as JSON with "Content-Type: application/json" (got ${JSON.stringify(type.slice(0, 100) || 'none')}).`);
  }
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  // `express.json()` already parsed it: validate that value instead of serialising and parsing it again.
  const parsed = parsedBodyOf(request);
  if (parsed) {
    // A declared length was checked above; sent chunked, the value's own size is what we have.
    if (!request.headers.has('content-length') && byteLength(JSON.stringify(parsed.value) ?? '') > maxBytes) throw tooLarge(maxBytes);
    return parseOrThrow(schema, parsed.value, 'request body');
  }
  const text = await readText(request, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AiuError('invalid_json', 'The request body is not valid JSON.');
  }
  return parseOrThrow(schema, value, 'request body');
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

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The request body is larger than the ${Math.round(maxBytes / 1024)} kB limit.`);
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).byteLength;
}

async function readText(request: IncomingRequest, maxBytes: number): Promise<string> {
  const raw = rawBodyOf(request);
  if (raw) {
    if (raw.byteLength > maxBytes) throw tooLarge(maxBytes);
    return decoder.decode(raw);
  }
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
      throw tooLarge(maxBytes);
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
