import type { ChatEvent } from '@aiu/core';
import { describe, expect, it } from 'vitest';
import { UIMessageStreamEncoder } from '../compat/aisdk/uiChat';
import { MessageEventEncoder } from '../compat/anthropic/response';
import { ChunkEncoder } from '../compat/openai/response';
import type { Piece } from '../util/pieceBuilder';

// Text that JSON must escape, and text past ASCII (a lone surrogate included): the byte path
// writes these by hand or hands them on, and must agree with JSON.stringify byte for byte.
const sample = ['say "hi"\n', 'back\\slash\ttab', 'café 😀', '\u0001\u001f', 'lone \ud800', 'plain'];
const bytesOf = (piece: Piece) => Buffer.from(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece).toString('hex');
const hex = (text: string) => Buffer.from(text).toString('hex');
const textOf = (piece: Piece) => (typeof piece === 'string' ? piece : new TextDecoder().decode(piece));

// A few pieces make a batch that stays a string; many, one built as bytes: both must agree.
describe.each([
  { batch: 'a small batch (text)', repeat: 1, kind: 'string' },
  { batch: 'a large batch (bytes)', repeat: 40, kind: 'object' },
])('the protocols’ text pieces, in $batch', ({ repeat, kind }) => {
  const pieces = Array.from({ length: repeat }, () => sample).flat();
  const deltas: ChatEvent[] = pieces.map((text) => ({ type: 'delta', text }));

  it('OpenAI: each piece is the chunk JSON.stringify would write', () => {
    const encoder = new ChunkEncoder('req_1', 'openai:gpt-4.1-nano', new Set(), false);
    const created = /"created":(\d+)/.exec(encoder.opening())?.[1];
    const expected = pieces
      .map((text) => `data: ${JSON.stringify({ id: 'req_1', object: 'chat.completion.chunk', created: Number(created), model: 'openai:gpt-4.1-nano', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`)
      .join('');
    const piece = encoder.encode(deltas);
    expect(typeof piece).toBe(kind);
    expect(bytesOf(piece)).toBe(hex(expected));
  });

  it('OpenAI: a client tool call’s argument pieces, each under its call’s index', () => {
    const encoder = new ChunkEncoder('req_1', 'openai:gpt-4.1-nano', new Set(['weather']), false);
    const created = Number(/"created":(\d+)/.exec(encoder.opening())?.[1]);
    const chunk = (delta: Record<string, unknown>) => `data: ${JSON.stringify({ id: 'req_1', object: 'chat.completion.chunk', created, model: 'openai:gpt-4.1-nano', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
    const calls: ChatEvent[] = ['call_1', 'call_2'].flatMap((toolCallId): ChatEvent[] => [
      { type: 'tool-input-start', toolCallId, toolName: 'weather' },
      ...pieces.map((delta): ChatEvent => ({ type: 'tool-input-delta', toolCallId, delta })),
    ]);
    const expected = [0, 1]
      .map(
        (index) =>
          chunk({ tool_calls: [{ index, id: `call_${index + 1}`, type: 'function', function: { name: 'weather', arguments: '' } }] }) +
          pieces.map((piece) => chunk({ tool_calls: [{ index, function: { arguments: piece } }] })).join(''),
      )
      .join('');
    expect(bytesOf(encoder.encode(calls))).toBe(hex(expected));
  });

  it('Anthropic: a text block opened once, then each piece as its text_delta', () => {
    const encoder = new MessageEventEncoder('req_1', 'anthropic:claude-haiku-4-5', new Set(['x']));
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const expected =
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
      pieces.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })).join('');
    expect(bytesOf(encoder.encode(deltas))).toBe(hex(expected));
    // Text after a client tool's block opens a block of its own, and its pieces carry that index.
    const later = textOf(encoder.encode([{ type: 'tool-input-start', toolCallId: 'c', toolName: 'x' }, { type: 'delta', text: 'again' }]));
    expect(later).not.toContain('"index":0,"delta":{"type":"text_delta","text":"again"');
    expect(later).toContain(event('content_block_delta', { index: 2, delta: { type: 'text_delta', text: 'again' } }));
  });

  it('UI message stream: a step and a text block opened once, then each piece as its text-delta', () => {
    const encoder = new UIMessageStreamEncoder();
    const chunk = (value: Record<string, unknown>) => `data: ${JSON.stringify(value)}\n\n`;
    const expected =
      chunk({ type: 'start-step' }) + chunk({ type: 'text-start', id: 'text-1' }) + pieces.map((delta) => chunk({ type: 'text-delta', id: 'text-1', delta })).join('');
    expect(bytesOf(encoder.encode(deltas))).toBe(hex(expected));
    const later = textOf(encoder.encode([{ type: 'reasoning', text: 'hmm' }, { type: 'delta', text: 'again' }]));
    expect(later).toContain(chunk({ type: 'text-delta', id: 'text-3', delta: 'again' }));
  });
});
