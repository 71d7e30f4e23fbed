import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../errors';
import { withEnvValues } from '../files';
import { providersFromEnv, sqlitePath } from '../settings';
import { parseInterval, parseTime } from '../time';

describe('parseTime', () => {
  const now = new Date(2026, 11, 2, 18, 30, 0);
  it('reads ISO times, bare dates as local midnight, spans back, today and month', () => {
    expect(parseTime('2026-11-01T09:00:00Z', '--from', now).toISOString()).toBe('2026-11-01T09:00:00.000Z');
    expect(parseTime('2026-11-01', '--from', now).getTime()).toBe(new Date(2026, 10, 1).getTime());
    expect(parseTime('7d', '--from', now).getTime()).toBe(now.getTime() - 7 * 86_400_000);
    expect(parseTime('90m', '--from', now).getTime()).toBe(now.getTime() - 90 * 60_000);
    expect(parseTime('today', '--from', now).getTime()).toBe(new Date(2026, 11, 2).getTime());
    expect(parseTime('month', '--from', now).getTime()).toBe(new Date(2026, 11, 1).getTime());
  });
  it('refuses what is not a time, as bad usage naming the flag', () => {
    expect(() => parseTime('soonish', '--from', now)).toThrow(/--from "soonish" is not a time/);
    expect(() => parseInterval('fast', '--interval')).toThrow(/--interval/);
    expect(() => parseInterval('10ms', '--interval')).toThrow(/at least 100ms/);
    expect(parseInterval('1.5s', '--interval')).toBe(1500);
  });
});

describe('withEnvValues', () => {
  it('replaces the lines that set a variable, appends new ones, keeps the rest as it was', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aiu-env-')), '.env');
    writeFileSync(file, '# mine\nexport AIU_MASTER_KEY=old\nOTHER="a b"\n');
    const text = withEnvValues(file, { AIU_MASTER_KEY: 'new+/=', AIU_DATABASE_URL: 'postgres://u:p@h/db?options=-c search_path=x' });
    expect(text.split('\n').slice(0, 3)).toEqual(['# mine', 'AIU_MASTER_KEY=new+/=', 'OTHER="a b"']);
    // What Node's own parser (and dotenv) reads back.
    expect(parseEnv(text)).toMatchObject({ AIU_MASTER_KEY: 'new+/=', OTHER: 'a b', AIU_DATABASE_URL: 'postgres://u:p@h/db?options=-c search_path=x' });
  });
});

describe('settings', () => {
  it('points each built-in provider at its *_BASE_URL when set', () => {
    const providers = providersFromEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', GROQ_BASE_URL: 'http://proxy/groq' });
    expect(providers.openai).toEqual({ baseURL: 'http://127.0.0.1:9/v1' });
    expect(providers.groq).toEqual({ baseURL: 'http://proxy/groq' });
    expect(providers.anthropic).toEqual({});
  });
  it('resolves SQLite paths against the working folder; hides passwords in URLs', () => {
    expect(sqlitePath('.aiu/aiu.db', '/srv/app')).toBe('/srv/app/.aiu/aiu.db');
    expect(sqlitePath('file:/var/aiu.db', '/srv/app')).toBe('/var/aiu.db');
    expect(redactUrl('postgres://aiu:hunter2@db:5432/aiu')).toBe('postgres://aiu:***@db:5432/aiu');
    expect(redactUrl('postgres://db:5432/aiu')).toBe('postgres://db:5432/aiu');
  });
});
