import { ModelListSchema, type ModelInfo } from '@aiu/core';
import type { Command } from 'commander';
import { readJson } from '../connection';
import { usageError } from '../errors';
import { count } from '../output';
import type { Run } from '../run';

export function modelsCommand(program: Command, run: Run): void {
  program
    .command('models')
    .description('The models of every configured provider: context, prices per 1M tokens, capabilities.')
    .option('--kind <kind>', 'chat or embed')
    .option('--provider <id>', 'one provider only')
    .option('--refresh', "ask the providers again instead of using the cached lists")
    .addHelpText('after', `
Examples:
  $ aiu models --provider openai
  $ aiu models --kind embed --json | jq '.models[].id'`)
    .action(
      run(async (ctx, flags: { kind?: string; provider?: string; refresh?: boolean }) => {
        if (flags.kind !== undefined && flags.kind !== 'chat' && flags.kind !== 'embed') throw usageError(`--kind must be chat or embed, not "${flags.kind}".`);
        const list = await ctx.withConnection(async (connection) =>
          readJson(await connection.call('/models', { query: { kind: flags.kind, provider: flags.provider, refresh: flags.refresh ? 1 : undefined } }), ModelListSchema),
        );
        if (ctx.out.json) return ctx.out.data(list);
        if (list.models.length === 0) return ctx.out.line(`No models${flags.provider ? ` for ${flags.provider}` : ''}: is the provider configured? (aiu keys list)`);
        ctx.out.table(
          ['ID', 'CONTEXT', 'IN $/1M', 'OUT $/1M', 'CAPABILITIES'],
          list.models.map((model) => [model.id + (model.deprecated ? ctx.out.color.dim(' (deprecated)') : ''), model.contextWindow === null ? '—' : count(model.contextWindow), price(model, 'input'), price(model, 'output'), model.capabilities.join(', ') || '—']),
          ['left', 'right', 'right', 'right'],
        );
        if (list.priceData) ctx.out.note(ctx.out.errColor.dim(`${list.models.length} models · prices from ${list.priceData.source} ${list.priceData.version}${list.priceData.releasedAt ? ` (${list.priceData.releasedAt})` : ''}`));
      }),
    );
}

function price(model: ModelInfo, side: 'input' | 'output'): string {
  const value = model.pricing?.[side];
  if (value === undefined) return '—';
  return `$${Number(value.toPrecision(4))}`;
}
