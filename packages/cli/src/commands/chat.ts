import { chatEventSchemas, type ChatEventType, type FinishEvent, type StartEvent } from '@aiu/core';
import type { Command } from 'commander';
import { createParser } from 'eventsource-parser';
import * as z from 'zod/mini';
import { ensureOk } from '../connection';
import type { Context } from '../context';
import { CliError, EXIT, usageError } from '../errors';
import { readStdin } from '../input';
import { count, ms, usd } from '../output';
import type { Run } from '../run';

interface ChatFlags {
  model?: string;
  system?: string;
  temperature?: string;
  maxTokens?: string;
  keyAlias?: string;
}

export function chatCommand(program: Command, run: Run): void {
  program
    .command('chat')
    .description('Send one prompt and stream the answer to stdout; tokens, cost and latency follow on stderr.')
    .argument('[prompt...]', 'the prompt (or pipe it on stdin; both: stdin first, then the prompt)')
    .option('-m, --model <id>', 'provider:model, a route name, or a fallback list a,b (default AIU_MODEL)')
    .option('-s, --system <text>', 'a system prompt')
    .option('-t, --temperature <n>', 'sampling temperature, 0–2')
    .option('--max-tokens <n>', 'cap on output tokens')
    .option('--key-alias <alias>', 'a stored provider key other than "default"')
    .addHelpText('after', `
Examples:
  $ aiu chat -m openai:gpt-4.1-nano "Invent a holiday"
  $ cat notes.md | aiu chat -m anthropic:claude-haiku-4-5 "Summarise this"
  $ aiu chat -m openai:gpt-4.1-nano --json "hi" | jq -c 'select(.type == "finish")'
Ctrl-C stops the answer; the call is logged as aborted.`)
    .action(run(async (ctx, words: string[], flags: ChatFlags) => chat(ctx, words, flags)));
}

async function chat(ctx: Context, words: string[], flags: ChatFlags): Promise<void> {
  const model = flags.model ?? ctx.settings.env.AIU_MODEL;
  if (!model) throw usageError('Which model? Pass --model provider:model (or set AIU_MODEL).', 'aiu models lists them');
  const piped = process.stdin.isTTY ? '' : (await readStdin()).trim();
  const prompt = [piped, words.join(' ').trim()].filter(Boolean).join('\n\n');
  if (!prompt) throw usageError('No prompt: give it as an argument or pipe it on stdin.');
  const options = {
    ...(flags.temperature === undefined ? {} : { temperature: number(flags.temperature, '--temperature') }),
    ...(flags.maxTokens === undefined ? {} : { maxTokens: number(flags.maxTokens, '--max-tokens') }),
  };
  const body = {
    model: model.includes(',') ? model.split(',').map((id) => id.trim()) : model,
    messages: [...(flags.system ? [{ role: 'system', content: flags.system }] : []), { role: 'user', content: prompt }],
    stream: true,
    ...(Object.keys(options).length ? { options } : {}),
    ...(flags.keyAlias ? { keyAlias: flags.keyAlias } : {}),
    metadata: { source: 'aiu-cli' },
  };

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  const view = new ChatView(ctx);
  try {
    await ctx.withConnection(async (connection) => {
      const response = await ensureOk(await connection.call('/chat', { body, signal: stop.signal }));
      if (!response.body) throw new CliError('invalid_response', 'The answer came without a body.');
      const parser = createParser({ onEvent: (event) => view.event(event.event ?? 'message', event.data) });
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        if (!stop.signal.aborted) throw new CliError('stream_truncated', `The answer was cut off: ${(error as Error).message}`);
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
  }
  if (stop.signal.aborted) {
    view.stopped();
    process.exitCode = EXIT.interrupted;
    return;
  }
  view.end();
}

/** How the events show: text to stdout as it comes, reasoning dimmed (stdout on a terminal, else stderr), the rest on stderr. */
class ChatView {
  private start: StartEvent | undefined;
  private finish: FinishEvent | undefined;
  private failure: CliError | undefined;
  private endsWithNewline = true;
  private inReasoning = false;

  constructor(private readonly ctx: Context) {}

  event(type: string, data: string): void {
    const schema = chatEventSchemas[type as ChatEventType] as z.ZodMiniType | undefined;
    if (!schema) return;
    const parsed = z.safeParse(schema, JSON.parse(data));
    if (!parsed.success) return;
    const value = parsed.data as Record<string, unknown>;
    const { out } = this.ctx;
    if (out.json) out.data({ type, ...value });
    switch (type) {
      case 'start':
        this.start = value as StartEvent;
        if (!out.json) for (const warning of this.start.warnings ?? []) out.note(out.errColor.yellow(`warning: ${warning}`));
        return;
      case 'reasoning':
        if (!out.json) this.reasoning(String(value.text));
        return;
      case 'delta':
        if (out.json) return;
        if (this.inReasoning) this.closeReasoning();
        this.text(String(value.text));
        return;
      case 'tool-call':
        if (!out.json) out.note(out.errColor.cyan(`→ ${String(value.toolName)}(${JSON.stringify(value.input)})`));
        return;
      case 'tool-result':
        if (!out.json) out.note(out.errColor.dim(`← ${String(value.toolName)}: ${JSON.stringify(value.output).slice(0, 200)}`));
        return;
      case 'finish':
        this.finish = value as FinishEvent;
        return;
      case 'error':
        this.failure = new CliError(String(value.code), String(value.message));
        return;
    }
  }

  private text(text: string): void {
    if (!text) return;
    this.ctx.out.write(text);
    this.endsWithNewline = text.endsWith('\n');
  }

  private reasoning(text: string): void {
    const { out } = this.ctx;
    if (out.stdout.isTTY) {
      this.inReasoning = true;
      this.text(out.color.dim(text));
    } else {
      process.stderr.write(out.errColor.dim(text));
    }
  }

  private closeReasoning(): void {
    this.inReasoning = false;
    if (!this.endsWithNewline) this.text('\n\n');
  }

  private newline(): void {
    if (!this.endsWithNewline && !this.ctx.out.json) this.text('\n');
  }

  end(): void {
    this.newline();
    if (this.failure) throw this.failure;
    if (!this.finish) throw new CliError('stream_truncated', 'The answer ended before it finished.');
    if (this.ctx.out.json) return;
    const { finish } = this;
    const parts = [
      this.start?.model,
      `${count(finish.usage.inputTokens)} in · ${count(finish.usage.outputTokens)} out${finish.usage.reasoningTokens ? ` (${count(finish.usage.reasoningTokens)} reasoning)` : ''}`,
      finish.cost ? usd(finish.cost.total) : 'cost unknown',
      `${ms(finish.latencyMs)}${finish.ttftMs === null ? '' : ` (first token ${ms(finish.ttftMs)})`}`,
      finish.finishReason === 'stop' ? undefined : `finish: ${finish.finishReason}`,
    ].filter(Boolean);
    this.ctx.out.note(this.ctx.out.errColor.dim(parts.join(' · ')));
  }

  stopped(): void {
    this.newline();
    const id = this.start ? `, logged as aborted (${this.start.requestId})` : '';
    if (this.ctx.out.json) this.ctx.out.data({ type: 'aborted', requestId: this.start?.requestId ?? null });
    else this.ctx.out.note(this.ctx.out.errColor.yellow(`stopped${id}`));
  }
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw usageError(`${flag} must be a number, not "${text}".`);
  return value;
}
