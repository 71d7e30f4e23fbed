import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresReachable } from '../../packages/server/test/postgres';
import { aiu, ensureBuilt, root, tempDir } from './cli';

// The drivers the CLI itself depends on, to look into what it wrote.
const cliRequire = createRequire(join(root, 'packages', 'cli', 'package.json'));
const Sqlite = cliRequire('better-sqlite3') as new (path: string, options?: { readonly?: boolean }) => { prepare(sql: string): { all(): Array<{ name: string }> }; close(): void };
const pg = cliRequire('pg') as { Client: new (options: { connectionString: string }) => { connect(): Promise<void>; query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>; end(): Promise<void> } };

const envOf = (file: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

beforeAll(() => ensureBuilt(), 300_000);

describe('aiu init', () => {
  it('writes .env with a fresh master key and the SQLite default, migrated; --json says so', async () => {
    const dir = tempDir();
    const result = await aiu(['init', '--yes', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ envFile: join(dir, '.env'), masterKey: 'created', database: '.aiu/aiu.db', store: 'sqlite', migrated: true });
    const env = envOf(join(dir, '.env'));
    expect(Buffer.from(env.AIU_MASTER_KEY as string, 'base64')).toHaveLength(32);
    expect(env.AIU_DATABASE_URL).toBe('.aiu/aiu.db');
    const db = new Sqlite(join(dir, '.aiu', 'aiu.db'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((row) => row.name);
    db.close();
    expect(tables).toEqual(expect.arrayContaining(['aiu_request_log', 'aiu_provider_keys', 'aiu_client_keys']));
    // The file holds a secret: only its owner reads it.
    expect((await import('node:fs')).statSync(join(dir, '.env')).mode & 0o077).toBe(0);

    const human = await aiu(['init', '--yes'], { cwd: tempDir() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/AIU_MASTER_KEY created/);
    expect(human.stdout).toMatch(/Next:\n\s+aiu keys add openai/);
  });

  it('keeps an existing master key and every other line unless --force', async () => {
    const dir = tempDir();
    const existing = Buffer.alloc(32, 1).toString('base64');
    writeFileSync(join(dir, '.env'), `# mine\nOPENAI_API_KEY=sk-mine-0000\nAIU_MASTER_KEY=${existing}\n`);
    const kept = await aiu(['init', '--yes'], { cwd: dir });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('AIU_MASTER_KEY kept');
    const text = readFileSync(join(dir, '.env'), 'utf8');
    expect(text).toBe(`# mine\nOPENAI_API_KEY=sk-mine-0000\nAIU_MASTER_KEY=${existing}\nAIU_DATABASE_URL=.aiu/aiu.db\n`);

    const forced = await aiu(['init', '--yes', '--force', '--json'], { cwd: dir });
    expect(JSON.parse(forced.stdout)).toMatchObject({ masterKey: 'replaced' });
    const replaced = envOf(join(dir, '.env'));
    expect(replaced.AIU_MASTER_KEY).not.toBe(existing);
    expect(replaced.OPENAI_API_KEY).toBe('sk-mine-0000');
  });

  it('writes nothing when the database cannot be reached, and says what to do', async () => {
    const dir = tempDir();
    const result = await aiu(['init', '--yes', '--database', 'postgres://aiu:secret-pw@127.0.0.1:9/aiu'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[store_unreachable\].*AIU_DATABASE_URL/);
    expect(result.stderr).not.toContain('secret-pw');
    expect(readdirSync(dir)).toEqual([]);
  });

  describe('on PostgreSQL', () => {
    const schema = `aiu_cli_${Date.now().toString(36)}`;
    let reachable = false;
    beforeAll(async () => {
      reachable = await postgresReachable();
      if (!reachable) return;
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.end();
    });
    afterAll(async () => {
      if (!reachable) return;
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    it('migrates the database the URL names and records it in .env', async (context) => {
      if (!reachable) return context.skip();
      const dir = tempDir();
      const url = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const result = await aiu(['init', '--yes', '--database', url, '--json'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ store: 'postgres', migrated: true });
      expect(envOf(join(dir, '.env')).AIU_DATABASE_URL).toContain(encodeURIComponent(`search_path=${schema}`));
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      const { rows } = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = '${schema}'`);
      await client.end();
      expect(rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['aiu_request_log', 'aiu_provider_keys']));
      expect(existsSync(join(dir, '.aiu', 'aiu.db'))).toBe(false);

      // The .env it wrote is what the next command reads.
      const logs = await aiu(['logs', '--json'], { cwd: dir });
      expect(logs.code, logs.stderr).toBe(0);
      expect(JSON.parse(logs.stdout)).toEqual({ entries: [], nextCursor: null });
    });
  });
});
