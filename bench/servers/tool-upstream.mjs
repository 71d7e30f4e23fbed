// The provider stand-in for the tool benchmarks: the fake upstream, replaying recordings chosen by
// the first user message — `text` (OpenAI's 300-token recording), `tool` (the same stream with its
// text moved into one tool call's arguments) or `steps=N` (Groq's recorded `weather` call until the
// conversation holds N − 1 tool results, then Mistral's short recorded answer).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES_DIR, loadFixture, startFakeUpstream, textStreamAsToolCall } from '@aiu/testing';

const dir = mkdtempSync(join(tmpdir(), 'aiu-bench-fixtures-'));
for (const name of ['openai/openai-text', 'openai-compatible/groq-tool-call', 'openai-compatible/mistral-text']) {
  mkdirSync(join(dir, name.split('/')[0]), { recursive: true });
  for (const ext of ['.chunks.txt', '.json']) copyFileSync(join(FIXTURES_DIR, name + ext), join(dir, name + ext));
}
// The text recording as one tool call's arguments: same chunks, same pieces (textStreamAsToolCall).
const asToolCall = textStreamAsToolCall(loadFixture('openai/openai-text').chunks, { id: 'call_bench0000000000000001', name: 'record' });
writeFileSync(join(dir, 'openai/bench-tool-call.chunks.txt'), `${asToolCall.join('\n')}\n`);

const upstream = await startFakeUpstream({
  fixturesDir: dir,
  fixture: (request) => {
    const messages = Array.isArray(request.body?.messages) ? request.body.messages : [];
    const first = messages.find((m) => m.role === 'user')?.content;
    if (first === 'tool') return 'openai/bench-tool-call';
    const steps = typeof first === 'string' ? /^steps=(\d+)$/.exec(first) : null;
    if (steps) return messages.filter((m) => m.role === 'tool').length < Number(steps[1]) - 1 ? 'openai-compatible/groq-tool-call' : 'openai-compatible/mistral-text';
    return 'openai/openai-text';
  },
});
setInterval(() => upstream.requests.splice(0), 1000).unref();
process.on('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
console.log(JSON.stringify({ url: upstream.url }));
