import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { storeError } from '../connection';
import type { Context } from '../context';
import { redactUrl, usageError } from '../errors';
import { withEnvValues, writeAtomically } from '../files';
import { ask } from '../input';
import type { Run } from '../run';
import { DEFAULT_DATABASE, describeStore, isPostgresUrl, readDotEnv, storeFor } from '../settings';

interface InitFlags {
  database?: string;
  yes?: boolean;
  force?: boolean;
}

export function initCommand(program: Command, run: Run): void {
  program
    .command('init')
    .description('Set this folder up: a .env with a fresh AIU_MASTER_KEY and AIU_DATABASE_URL, and the database migrated.')
    .option('--database <url>', `a SQLite file (default ${DEFAULT_DATABASE}) or postgres://…`)
    .option('-y, --yes', 'ask nothing: SQLite unless --database says otherwise')
    .option('--force', 'replace an AIU_MASTER_KEY that is already in .env (stored provider keys then become unreadable)')
    .addHelpText('after', `
Examples:
  $ aiu init                                   # asks SQLite or PostgreSQL on a terminal
  $ aiu init --yes
  $ aiu init --database postgres://aiu@localhost:5432/aiu`)
    .action(run(async (ctx, flags: InitFlags) => init(ctx, flags)));
}

async function init(ctx: Context, flags: InitFlags): Promise<void> {
  const { cwd } = ctx.settings;
  const envFile = join(cwd, '.env');
  const existing = readDotEnv(envFile);
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !flags.yes && !ctx.out.json;

  const database = flags.database ?? (interactive ? await askDatabase(existing.AIU_DATABASE_URL) : existing.AIU_DATABASE_URL ?? DEFAULT_DATABASE);
  if (!database.trim()) throw usageError('--database is empty.');

  const keep = Boolean(existing.AIU_MASTER_KEY) && !flags.force;
  const masterKey = keep ? (existing.AIU_MASTER_KEY as string) : randomBytes(32).toString('base64');

  // The database first: if it cannot be reached or migrated, nothing is written.
  const store = await storeFor(database, cwd);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => {});
    throw storeError(database, error);
  }
  await store.close();

  await writeAtomically(envFile, withEnvValues(envFile, { AIU_MASTER_KEY: masterKey, AIU_DATABASE_URL: database }));

  const masterKeyState = keep ? 'kept' : existing.AIU_MASTER_KEY ? 'replaced' : 'created';
  if (ctx.out.json) {
    return ctx.out.data({ envFile, masterKey: masterKeyState, database: isPostgresUrl(database) ? redactUrl(database) : database, store: isPostgresUrl(database) ? 'postgres' : 'sqlite', migrated: true });
  }
  const { color } = ctx.out;
  ctx.out.line(`${color.green('✓')} ${envFile}: AIU_MASTER_KEY ${masterKeyState}${keep ? ' (--force replaces it)' : ''}, AIU_DATABASE_URL set`);
  if (masterKeyState === 'replaced') ctx.out.note(color.yellow('Provider keys stored under the old master key cannot be read any more: add them again.'));
  ctx.out.line(`${color.green('✓')} ${describeStore(database)}: migrated`);
  if (!gitIgnores(cwd)) ctx.out.note(color.yellow('.env holds your master key: add it to .gitignore (and .aiu/ too).'));
  ctx.out.line(`
Next:
  aiu keys add openai                          store a provider key (or set OPENAI_API_KEY)
  aiu chat -m openai:gpt-4.1-nano "Hello"      try a prompt
  aiu serve                                    the gateway, its dashboard and /v1 on http://127.0.0.1:4141`);
}

async function askDatabase(current: string | undefined): Promise<string> {
  const choice = await ask(`Where should aiu keep its data?\n  1) SQLite file (${DEFAULT_DATABASE})\n  2) PostgreSQL\nChoose`, current && isPostgresUrl(current) ? '2' : '1');
  if (choice === '2' || choice.toLowerCase().startsWith('p')) return ask('PostgreSQL URL', current && isPostgresUrl(current) ? current : 'postgres://localhost:5432/aiu');
  if (choice === '1' || choice.toLowerCase().startsWith('s')) return ask('SQLite file', current && !isPostgresUrl(current) ? current : DEFAULT_DATABASE);
  throw usageError(`"${choice}" is not 1 or 2.`);
}

function gitIgnores(cwd: string): boolean {
  const file = join(cwd, '.gitignore');
  if (!existsSync(file)) return !existsSync(join(cwd, '.git'));
  return /^\/?\.env$/m.test(readFileSync(file, 'utf8'));
}
