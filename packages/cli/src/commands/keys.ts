import { KeySummarySchema, KeyValidationSchema, ProviderListSchema } from '@aiu/core';
import type { Command } from 'commander';
import { readJson, ensureOk } from '../connection';
import type { Context } from '../context';
import { CliError, usageError } from '../errors';
import { askHidden, readStdin } from '../input';
import { localTime } from '../output';
import type { Run } from '../run';
import { masterKeyProblem } from '../settings';

/** Keys are encrypted with the master key: adding or reading one here without it would make a throwaway one. */
function requireMasterKey(ctx: Context): void {
  const problem = ctx.settings.url ? null : masterKeyProblem(ctx.settings);
  if (problem) throw problem;
}


export function keysCommand(program: Command, run: Run): void {
  const keys = program.command('keys').description('Provider keys in the encrypted keyring: add, list, test, remove.');
  keys.addHelpText('after', `
Examples:
  $ aiu keys add openai                 # asks for the key (hidden)
  $ echo "$OPENAI_API_KEY" | aiu keys add openai --alias team
  $ aiu keys list
  $ aiu keys test openai
  $ aiu keys remove openai team`);

  keys
    .command('add')
    .description('Store a provider key (read from stdin or a hidden prompt; from argv only with --key). Checked with the provider first.')
    .argument('<provider>', 'provider id: openai, anthropic, google, groq, …')
    .option('--alias <alias>', 'a name for the key', 'default')
    .option('--key <key>', 'the key itself (visible in your shell history: prefer stdin)')
    .option('--scopes <scopes>', 'what the key may be used for: chat,embed,models')
    .option('--no-validate', 'store it without asking the provider')
    .option('--replace', 'overwrite a key with the same alias')
    .action(
      run(async (ctx, provider: string, flags: { alias: string; key?: string; scopes?: string; validate: boolean; replace?: boolean }) => {
        requireMasterKey(ctx);
        const key = (flags.key ?? (process.stdin.isTTY ? await askHidden(`${provider} key: `) : await readStdin())).trim();
        if (!key) throw usageError('The key is empty.', 'pipe it on stdin, type it at the prompt, or pass --key');
        const scopes = flags.scopes?.split(',').map((scope) => scope.trim()).filter(Boolean);
        const summary = await ctx.withConnection(async (connection) =>
          readJson(
            await connection.call('/keys', {
              body: { provider, alias: flags.alias, key, validate: flags.validate, ...(scopes ? { scopes } : {}), ...(flags.replace ? { replace: true } : {}) },
            }),
            KeySummarySchema,
          ),
        );
        if (ctx.out.json) return ctx.out.data(summary);
        const checked = summary.status === 'valid' ? ctx.out.color.green('checked with the provider') : ctx.out.color.yellow('not checked');
        ctx.out.line(`Saved ${summary.provider} key "${summary.alias}" (…${summary.hint}), ${checked}.`);
      }),
    );

  keys
    .command('list')
    .description('Every provider, its stored keys (hint only) and whether a call could get a key.')
    .action(
      run(async (ctx) => {
        const list = await ctx.withConnection(async (connection) => readJson(await connection.call('/providers'), ProviderListSchema));
        if (ctx.out.json) return ctx.out.data(list);
        const { color } = ctx.out;
        const rows = list.providers.flatMap((provider) => {
          const fromEnv = provider.envKey && ctx.settings.env[provider.envKey] ? `env ${provider.envKey}` : null;
          const stored = provider.keys.map((key) => [
            provider.id,
            key.alias,
            `…${key.hint}`,
            key.scopes.join(','),
            key.status === 'valid' ? color.green('valid') : key.status === 'invalid' ? color.red('invalid') : 'unchecked',
            key.lastValidatedAt ? localTime(key.lastValidatedAt) : '—',
          ]);
          if (stored.length) return stored;
          const source = fromEnv ?? (provider.requiresKey ? (provider.configured ? 'configured' : color.dim('no key')) : 'no key needed');
          return [[provider.id, '—', '—', '—', source, '—']];
        });
        ctx.out.table(['PROVIDER', 'ALIAS', 'KEY', 'SCOPES', 'STATUS', 'CHECKED'], rows);
      }),
    );

  keys
    .command('test')
    .description('Ask the provider whether the key in use works (the stored alias, else the environment key) and print its model count.')
    .argument('<provider>', 'provider id')
    .option('--alias <alias>', 'a stored key other than "default"')
    .action(
      run(async (ctx, provider: string, flags: { alias?: string }) => {
        requireMasterKey(ctx);
        const result = await ctx.withConnection(async (connection) =>
          readJson(await connection.call('/keys/validate', { body: { provider, ...(flags.alias ? { alias: flags.alias } : {}) } }), KeyValidationSchema),
        );
        if (ctx.out.json) ctx.out.data({ provider, ...result });
        else if (result.valid) {
          const models = result.modelCount === undefined ? '' : `: ${result.modelCount.toLocaleString('en-US')} models`;
          ctx.out.line(`${ctx.out.color.green('✓')} ${provider} key works${models} (${result.source === 'stored' ? `stored key "${flags.alias ?? 'default'}"` : 'key from config or environment'}).`);
        }
        if (!result.valid) {
          throw new CliError(result.error?.code ?? 'invalid_api_key', `${provider} did not accept the key: ${result.error?.message ?? 'no reason given'}`, {
            hint: `replace it with aiu keys add ${provider} --replace`,
          });
        }
      }),
    );

  keys
    .command('remove')
    .description('Delete a stored key.')
    .argument('<provider>', 'provider id')
    .argument('[alias]', 'the key alias', 'default')
    .action(
      run(async (ctx, provider: string, alias: string) => {
        await ctx.withConnection(async (connection) => {
          await ensureOk(await connection.call(`/keys/${encodeURIComponent(provider)}/${encodeURIComponent(alias)}`, { method: 'DELETE' }));
        });
        if (ctx.out.json) ctx.out.data({ provider, alias, removed: true });
        else ctx.out.line(`Removed ${provider} key "${alias}".`);
      }),
    );
}
