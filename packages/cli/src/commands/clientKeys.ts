import { ClientKeyListSchema, CreatedClientKeySchema } from '@aiu/core';
import type { Command } from 'commander';
import { ensureOk, readJson } from '../connection';
import { usageError } from '../errors';
import { count, localTime, usd } from '../output';
import type { Run } from '../run';
import { parseTime } from '../time';

interface CreateFlags {
  name: string;
  models?: string;
  rpm?: string;
  tpm?: string;
  dailyUsd?: string;
  monthlyUsd?: string;
  expires?: string;
}

export function clientKeysCommand(program: Command, run: Run): void {
  const keys = program.command('client-keys').description('Keys aiu issues to the apps and people that call it (aiu_…).');
  keys.addHelpText('after', `
Examples:
  $ aiu client-keys create --name "mobile app" --models "openai:*" --rpm 60 --monthly-usd 50
  $ aiu client-keys list
  $ aiu client-keys revoke ck_…`);

  keys
    .command('create')
    .description('Issue a key; the secret is printed once.')
    .requiredOption('--name <name>', 'who the key is for')
    .option('--models <patterns>', 'comma-separated models it may call (provider:model, provider:*, route names)')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--daily-usd <usd>', 'spend per UTC day')
    .option('--monthly-usd <usd>', 'spend per UTC month')
    .option('--expires <when>', 'expiry: ISO time, or a span ahead (30d, 12h)')
    .action(
      run(async (ctx, flags: CreateFlags) => {
        const body = {
          name: flags.name,
          ...(flags.models ? { models: flags.models.split(',').map((model) => model.trim()).filter(Boolean) } : {}),
          ...(flags.rpm ? { rpm: positive(flags.rpm, '--rpm', true) } : {}),
          ...(flags.tpm ? { tpm: positive(flags.tpm, '--tpm', true) } : {}),
          ...(flags.dailyUsd || flags.monthlyUsd
            ? { budget: { ...(flags.dailyUsd ? { dailyUsd: positive(flags.dailyUsd, '--daily-usd') } : {}), ...(flags.monthlyUsd ? { monthlyUsd: positive(flags.monthlyUsd, '--monthly-usd') } : {}) } }
            : {}),
          ...(flags.expires ? { expiresAt: expiry(flags.expires) } : {}),
        };
        const created = await ctx.withConnection(async (connection) => readJson(await connection.call('/client-keys', { body }), CreatedClientKeySchema));
        if (ctx.out.json) return ctx.out.data(created);
        const { color } = ctx.out;
        ctx.out.line(`Created client key ${color.bold(created.id)} for "${created.name}".`);
        ctx.out.line();
        ctx.out.line(`  ${color.bold(created.key)}`);
        ctx.out.line();
        ctx.out.note(color.yellow('This is the only time the key is shown: store it now. Send it as Authorization: Bearer <key>.'));
      }),
    );

  keys
    .command('list')
    .description('Every client key: limits, spend to date, last use (never the secret).')
    .action(
      run(async (ctx) => {
        const list = await ctx.withConnection(async (connection) => readJson(await connection.call('/client-keys'), ClientKeyListSchema));
        if (ctx.out.json) return ctx.out.data(list);
        if (list.keys.length === 0) return ctx.out.line('No client keys yet. Create one with: aiu client-keys create --name <who>');
        const { color } = ctx.out;
        ctx.out.table(
          ['ID', 'NAME', 'KEY', 'MODELS', 'RPM', 'TPM', 'BUDGET', 'SPENT', 'LAST USED', 'STATE'],
          list.keys.map((key) => [
            key.id,
            key.name,
            `…${key.hint}`,
            key.models?.join(',') ?? 'all',
            key.rpm === null ? '—' : count(key.rpm),
            key.tpm === null ? '—' : count(key.tpm),
            [key.budget?.dailyUsd ? `${usd(key.budget.dailyUsd)}/day` : '', key.budget?.monthlyUsd ? `${usd(key.budget.monthlyUsd)}/month` : ''].filter(Boolean).join(' ') || '—',
            usd(key.spendUsd),
            key.lastUsedAt ? localTime(key.lastUsedAt) : 'never',
            key.revokedAt ? color.red('revoked') : key.expiresAt && Date.parse(key.expiresAt) <= Date.now() ? color.yellow('expired') : color.green('active'),
          ]),
          ['left', 'left', 'left', 'left', 'right', 'right', 'left', 'right'],
        );
      }),
    );

  keys
    .command('revoke')
    .description('Revoke a client key at once.')
    .argument('<id>', 'the key id (ck_…), from aiu client-keys list')
    .action(
      run(async (ctx, id: string) => {
        await ctx.withConnection(async (connection) => {
          await ensureOk(await connection.call(`/client-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }));
        });
        if (ctx.out.json) ctx.out.data({ id, revoked: true });
        else ctx.out.line(`Revoked client key ${id}.`);
      }),
    );
}

function positive(text: string, flag: string, integer = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw usageError(`${flag} must be a positive ${integer ? 'whole number' : 'number'}, not "${text}".`);
  return value;
}

/** `30d` means thirty days ahead here, not back. */
function expiry(text: string): string {
  const now = new Date();
  const back = parseTime(text, '--expires', now);
  const ahead = /^\d+\s*[mhdw]$/i.test(text.trim()) ? new Date(2 * now.getTime() - back.getTime()) : back;
  if (ahead.getTime() <= now.getTime()) throw usageError('--expires must be in the future.');
  return ahead.toISOString();
}
