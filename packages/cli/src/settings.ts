import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import type { AiuOptions, AiuStore, ProvidersOption } from '@aiu/server';
import { BUILT_IN_PROVIDER_IDS } from '@aiu/server';
import { CliError, redactUrl } from './errors';

export const DEFAULT_DATABASE = '.aiu/aiu.db';
export const CONFIG_FILES = ['aiu.config.mjs', 'aiu.config.js', 'aiu.config.json'] as const;

/** Everything a command reads from its surroundings: the environment, `.env`, the config file and the global flags. */
export interface Settings {
  cwd: string;
  /** `process.env` over `.env`: a variable set in the shell wins over the file, as with dotenv. */
  env: Record<string, string | undefined>;
  /** `--url` or `AIU_URL`: drive a running aiu over HTTP instead of the local store. */
  url: string | undefined;
  /** `AIU_CLIENT_KEY`: sent as `Authorization: Bearer` to `--url`. */
  clientKey: string | undefined;
  /** A file path or `postgres://…`; `AIU_DATABASE_URL`, default `.aiu/aiu.db`. */
  databaseUrl: string;
  /** The config file's default export (createAiu options), and where it came from. */
  config: AiuOptions;
  configPath: string | null;
}

export interface GlobalFlags {
  url?: string;
  config?: string;
}

export async function loadSettings(flags: GlobalFlags, cwd = process.cwd(), processEnv: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const env = { ...readDotEnv(join(cwd, '.env')), ...processEnv };
  const { config, path } = await loadConfig(cwd, flags.config);
  const url = flags.url ?? env.AIU_URL;
  return {
    cwd,
    env,
    url: url ? normaliseUrl(url) : undefined,
    clientKey: env.AIU_CLIENT_KEY || undefined,
    databaseUrl: env.AIU_DATABASE_URL || DEFAULT_DATABASE,
    config,
    configPath: path,
  };
}

export function readDotEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new CliError('invalid_config', `Could not read ${file}: ${(error as Error).message}`);
  }
}

async function loadConfig(cwd: string, given: string | undefined): Promise<{ config: AiuOptions; path: string | null }> {
  const path = given ? resolve(cwd, given) : CONFIG_FILES.map((name) => join(cwd, name)).find((candidate) => existsSync(candidate));
  if (!path) return { config: {}, path: null };
  if (!existsSync(path)) throw new CliError('invalid_config', `No config file at ${path}.`);
  try {
    if (path.endsWith('.json')) return { config: JSON.parse(readFileSync(path, 'utf8')) as AiuOptions, path };
    const loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
    const config = typeof loaded.default === 'function' ? await (loaded.default as () => unknown)() : loaded.default;
    if (config === undefined || config === null || typeof config !== 'object') {
      throw new Error('its default export must be createAiu options (an object, or a function returning one)');
    }
    return { config: config, path };
  } catch (error) {
    throw new CliError('invalid_config', `Could not load ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError('bad_usage', `--url must be an http(s) URL such as http://127.0.0.1:4141, not "${url}".`, { exitCode: 2 });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError('bad_usage', `--url must be http or https, not ${parsed.protocol}`, { exitCode: 2 });
  return parsed.href.replace(/\/+$/, '');
}

/**
 * Why stored keys could not be encrypted or read here, if they could not: no `AIU_MASTER_KEY`
 * (environment, `.env`, config) and, outside production, no development key file either.
 */
export function masterKeyProblem(settings: Settings): CliError | null {
  const { config, env } = settings;
  if (config.keyring === false || config.masterKey || env.AIU_MASTER_KEY) return null;
  const devKey = config.masterKeyPath ?? join(settings.cwd, '.aiu/master.key');
  if (env.NODE_ENV !== 'production' && existsSync(devKey)) return null;
  return new CliError('missing_master_key', 'AIU_MASTER_KEY is not set (not in the environment, .env or the config file).', {
    hint: 'run aiu init to write one to .env, or export AIU_MASTER_KEY',
  });
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The store `AIU_DATABASE_URL` names: PostgreSQL for `postgres://…`, else a SQLite file. */
export async function storeFor(databaseUrl: string, cwd: string): Promise<AiuStore> {
  if (isPostgresUrl(databaseUrl)) {
    const { postgresStore } = await import('@aiu/server/postgres');
    return postgresStore({ connectionString: databaseUrl, poolConfig: { connectionTimeoutMillis: 5000 } });
  }
  const { sqliteStore } = await import('@aiu/server/sqlite');
  return sqliteStore({ path: sqlitePath(databaseUrl, cwd) });
}

export function sqlitePath(databaseUrl: string, cwd: string): string {
  const path = databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '');
  return path === ':memory:' || isAbsolute(path) ? path : resolve(cwd, path);
}

export function describeStore(databaseUrl: string): string {
  return isPostgresUrl(databaseUrl) ? `PostgreSQL ${redactUrl(databaseUrl)}` : `SQLite ${databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '')}`;
}

/**
 * Every built-in provider, each pointed at `<ID>_BASE_URL` when that is set (a proxy, a local
 * gateway, a recording replayer); keys come from `<ID>_API_KEY` or the keyring as usual.
 */
export function providersFromEnv(env: Record<string, string | undefined>): ProvidersOption {
  return Object.fromEntries(
    BUILT_IN_PROVIDER_IDS.map((id) => {
      const baseURL = env[`${id.toUpperCase()}_BASE_URL`];
      return [id, baseURL ? { baseURL } : {}];
    }),
  );
}

/** createAiu options for this machine: the config file's, with the store and providers the environment names where it names none. */
export async function aiuOptions(settings: Settings, overrides: Partial<AiuOptions> = {}): Promise<AiuOptions> {
  const { config } = settings;
  return {
    ...config,
    env: config.env ?? settings.env,
    store: config.store ?? (await storeFor(settings.databaseUrl, settings.cwd)),
    providers: config.providers ?? providersFromEnv(settings.env),
    masterKeyPath: config.masterKeyPath ?? join(settings.cwd, '.aiu/master.key'),
    ...overrides,
  };
}
