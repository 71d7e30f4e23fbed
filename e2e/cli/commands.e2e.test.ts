import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClientKeyListSchema, CreatedClientKeySchema, KeySummarySchema, LogPageSchema, ModelListSchema, ProviderListSchema, UsageReportSchema } from '@aiu/core';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ANSI, aiu, BIN, childEnv, ensureBuilt, finished, spawnAiu, tempDir, waitForLine } from './cli';

/**
 * The built `aiu` in child processes, against the fake upstream's recordings and a SQLite file
 * of its own: every command's human and --json output, exit codes, stdin, Ctrl-C.
 */
const MASTER = Buffer.alloc(32, 9).toString('base64');
const PROVIDER_KEY = 'sk-cli-test-0000000000000000KEYZ';
const MODEL = 'openai:gpt-4.1-nano';

let upstream: FakeUpstream;
let dir: string;
let env: Record<string, string>;
const run = (args: string[], extra: { input?: string; env?: Record<string, string | undefined> } = {}) =>
  aiu(args, { cwd: dir, env: { ...env, ...extra.env }, ...(extra.input === undefined ? {} : { input: extra.input }) });
const json = <T>(text: string): T => JSON.parse(text) as T;

beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
  dir = tempDir();
  env = { AIU_MASTER_KEY: MASTER, AIU_DATABASE_URL: join(dir, 'aiu.db'), OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: PROVIDER_KEY };
}, 300_000);
afterAll(async () => {
  await upstream?.close();
});

describe('usage errors exit 2 with the closest match', () => {
  it('no command prints the help on stderr', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: aiu');
    expect(result.stdout).toBe('');
  });

  it('an unknown command or flag names the nearest one, on one line', async () => {
    const command = await run(['chta']);
    expect(command.code).toBe(2);
    expect(command.stderr.trim().split('\n')).toHaveLength(1);
    expect(command.stderr).toMatch(/unknown command 'chta'.*Did you mean chat\?/);

    const flag = await run(['chat', '--modle', MODEL, 'hi']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--modle'.*Did you mean --model\?/);

    const sub = await run(['keys', 'lsit']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/Did you mean list\?/);
  });

  it('bad values are usage errors too', async () => {
    for (const args of [['usage', '--by', 'colour'], ['logs', '--limit', '0'], ['models', '--kind', 'image'], ['chat', 'hi'], ['export', '--format', 'xml'], ['usage', '--from', 'yesterdayish']]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^aiu: .+\[bad_usage\]/);
    }
  });

  it.each([
    ['init'], ['serve'], ['keys'], ['keys', 'add'], ['keys', 'list'], ['keys', 'test'], ['keys', 'remove'],
    ['client-keys'], ['client-keys', 'create'], ['client-keys', 'list'], ['client-keys', 'revoke'],
    ['models'], ['chat'], ['logs'], ['usage'], ['export'],
  ])('aiu %s --help shows its options, exit 0', async (...command) => {
    const result = await run([...command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: aiu ${command.join(' ')}`);
    const withExamples = ['init', 'serve', 'keys', 'client-keys', 'models', 'chat', 'logs', 'usage', 'export'];
    if (command.length === 1 && withExamples.includes(command[0] as string)) expect(result.stdout).toContain('Examples:');
  });
});

describe('failures exit 1 on one line with the error code', () => {
  it('an unreachable server: what happened and what to do, no stack unless --debug', async () => {
    const result = await run(['models', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Could not reach aiu at http:\/\/127\.0\.0\.1:9.*\[upstream_unreachable\].*aiu serve/);

    const debug = await run(['models', '--url', 'http://127.0.0.1:9', '--debug']);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);

    const asJson = await run(['models', '--url', 'http://127.0.0.1:9', '--json']);
    expect(asJson.code).toBe(1);
    expect(asJson.stdout).toBe('');
    expect(json<{ error: { code: string } }>(asJson.stderr).error.code).toBe('upstream_unreachable');
  });

  it('an unreachable database says which and how to fix it, without its password', async () => {
    const result = await run(['logs'], { env: { AIU_DATABASE_URL: 'postgres://aiu:hunter2@127.0.0.1:9/aiu' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[store_unreachable]');
    expect(result.stderr).toContain('AIU_DATABASE_URL');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a provider error carries its code and a next step', async () => {
    const result = await run(['chat', '-m', 'openai:gpt-4.1-nano', 'hi'], { env: { OPENAI_API_KEY: undefined } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[missing_api_key\].*aiu keys add/);
  });
});

describe('colour', () => {
  it('only on a terminal (or FORCE_COLOR), never with NO_COLOR', async () => {
    expect((await run(['keys', 'list'])).stdout).not.toMatch(ANSI);
    expect((await run(['keys', 'list'], { env: { FORCE_COLOR: '1' } })).stdout).toMatch(ANSI);
    expect((await run(['keys', 'list'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } })).stdout).not.toMatch(ANSI);
    expect((await run(['keys', 'list', '--no-color'], { env: { FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
  });
});

describe('aiu keys', () => {
  it('adds a key from stdin (never echoed), lists it by hint, tests it with the provider, removes it', async () => {
    const secret = 'sk-cli-stored-key-0000000000TEAM';
    const added = await run(['keys', 'add', 'openai', '--alias', 'team'], { input: `${secret}\n` });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Saved openai key "team" \(…TEAM\), checked with the provider/);
    // Checked with the provider before it was stored: the upstream saw it once, as a bearer key.
    expect(upstream.requests.at(-1)).toMatchObject({ url: '/v1/models', headers: { authorization: `Bearer ${secret}` } });

    const table = await run(['keys', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/PROVIDER\s+ALIAS\s+KEY\s+SCOPES\s+STATUS/);
    expect(table.stdout).toMatch(/openai\s+team\s+…TEAM\s+chat,embed,models\s+valid/);
    const list = ProviderListSchema.parse(json((await run(['keys', 'list', '--json'])).stdout));
    expect(list.providers.find((provider) => provider.id === 'openai')?.keys).toEqual([expect.objectContaining({ alias: 'team', hint: 'TEAM', status: 'valid' })]);

    const tested = await run(['keys', 'test', 'openai', '--alias', 'team']);
    expect(tested.code).toBe(0);
    const models = (upstream.requests.at(-1)?.headers as Record<string, string>).authorization;
    expect(models).toBe(`Bearer ${secret}`);
    expect(tested.stdout).toMatch(/openai key works: \d+ models \(stored key "team"\)/);
    const testedJson = json<{ valid: boolean; modelCount: number; source: string }>((await run(['keys', 'test', 'openai', '--json'])).stdout);
    expect(testedJson).toMatchObject({ valid: true, source: 'configured', modelCount: expect.any(Number) });

    for (const output of [added, table, tested]) expect(output.stdout + output.stderr).not.toContain(secret);

    const removed = await run(['keys', 'remove', 'openai', 'team', '--json']);
    expect(json(removed.stdout)).toEqual({ provider: 'openai', alias: 'team', removed: true });
    expect(ProviderListSchema.parse(json((await run(['keys', 'list', '--json'])).stdout)).providers.find((p) => p.id === 'openai')?.keys).toEqual([]);
    const again = await run(['keys', 'remove', 'openai', 'team']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[not_found]');
  });

  it('takes --key, refuses an empty key, and does not store one the provider rejects', async () => {
    expect((await run(['keys', 'add', 'openai', '--alias', 'empty'], { input: '\n' })).code).toBe(2);

    upstream.set({ error: { status: 401, body: { error: { message: 'Incorrect API key provided: sk-cli-bad-00000000000000000BAD' } } } });
    const rejected = await run(['keys', 'add', 'openai', '--alias', 'bad', '--key', 'sk-cli-bad-00000000000000000BAD']);
    upstream.reset();
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('[key_rejected]');
    expect(rejected.stderr).not.toContain('sk-cli-bad-00000000000000000BAD');

    const unchecked = KeySummarySchema.parse(json((await run(['keys', 'add', 'openai', '--alias', 'flag', '--key', 'sk-cli-flag-0000000000000000FLAG', '--no-validate', '--json'])).stdout));
    expect(unchecked).toMatchObject({ alias: 'flag', status: 'unknown' });
    const aliases = ProviderListSchema.parse(json((await run(['keys', 'list', '--json'])).stdout)).providers.find((p) => p.id === 'openai')?.keys.map((key) => key.alias);
    expect(aliases).toEqual(['flag']);
    await run(['keys', 'remove', 'openai', 'flag']);
  });
});

describe('aiu client-keys', () => {
  it('creates a key (the secret printed once), lists it without the secret, revokes it', async () => {
    const created = CreatedClientKeySchema.parse(json((await run(['client-keys', 'create', '--name', 'ci bot', '--models', 'openai:*', '--rpm', '30', '--monthly-usd', '5', '--expires', '30d', '--json'])).stdout));
    expect(created.key).toMatch(/^aiu_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: 'ci bot', models: ['openai:*'], rpm: 30, budget: { monthlyUsd: 5 } });
    expect(Date.parse(created.expiresAt as string) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const human = await run(['client-keys', 'create', '--name', 'person']);
    expect(human.code).toBe(0);
    const secret = /aiu_[A-Za-z0-9_-]{43}/.exec(human.stdout)?.[0];
    expect(secret).toBeDefined();
    expect(human.stderr).toContain('only time');

    const table = await run(['client-keys', 'list']);
    expect(table.stdout).toMatch(/ID\s+NAME\s+KEY\s+MODELS\s+RPM/);
    expect(table.stdout).toMatch(new RegExp(`${created.id}\\s+ci bot\\s+…${created.hint}\\s+openai:\\*\\s+30`));
    expect(table.stdout).not.toContain(created.key);
    expect(table.stdout).not.toContain(secret);

    const revoked = await run(['client-keys', 'revoke', created.id]);
    expect(revoked.code).toBe(0);
    const list = ClientKeyListSchema.parse(json((await run(['client-keys', 'list', '--json'])).stdout));
    expect(list.keys.find((key) => key.id === created.id)?.revokedAt).toEqual(expect.any(String));
    expect((await run(['client-keys', 'list'])).stdout).toMatch(new RegExp(`${created.id}.*revoked`));
    expect((await run(['client-keys', 'create', '--name', 'x', '--rpm', 'fast'])).code).toBe(2);
  });
});

describe('aiu models', () => {
  it('a table of id, context, prices per 1M and capabilities; --json is the list', async () => {
    const list = ModelListSchema.parse(json((await run(['models', '--provider', 'openai', '--json'])).stdout));
    const nano = list.models.find((model) => model.id === MODEL);
    expect(nano?.pricing).toBeTruthy();
    const table = await run(['models', '--provider', 'openai']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ID\s+CONTEXT\s+IN \$\/1M\s+OUT \$\/1M\s+CAPABILITIES/);
    const row = table.stdout.split('\n').find((line) => line.startsWith(`${MODEL} `));
    expect(row).toContain(`$${Number(nano?.pricing?.input.toPrecision(4))}`);
    expect(row).toContain(nano?.contextWindow?.toLocaleString('en-US'));
    expect(table.stdout.split('\n').filter((line) => line.startsWith('openai:')).length).toBe(list.models.length);
    const embed = ModelListSchema.parse(json((await run(['models', '--kind', 'embed', '--json'])).stdout));
    expect(embed.models.every((model) => model.kind === 'embed')).toBe(true);
  });
});

describe('output to a pipe', () => {
  it('is whole when the reader is slow: the process exits only once stdout has drained', async () => {
    // A real pipe to a reader that reads nothing for a while, then all of it: the pipe takes 64 kB and
    // the rest (the list is ~200 kB) waits in the process. (Not spawn's own stdout: that is a socket
    // pair, whose buffer may take the whole list, and Node drops what a child left unread when it exits.)
    const child = spawn('bash', ['-c', 'set -o pipefail; "$AIU_NODE" "$AIU_BIN" models --json | { sleep 1.5; cat; }'], {
      cwd: dir,
      env: { ...childEnv(dir, env), AIU_NODE: process.execPath, AIU_BIN: BIN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(await closed).toBe(0);
    expect(stdout.length).toBeGreaterThan(128 * 1024);
    expect(ModelListSchema.parse(json(stdout)).models.length).toBeGreaterThan(100);
  });
});

describe('aiu chat, logs, usage, export', () => {
  it('streams the answer to stdout and one line of tokens, cost and latency to stderr; the log agrees', async () => {
    const streamed = await run(['chat', '-m', MODEL, '--json', 'Invent', 'a', 'holiday.']);
    expect(streamed.code).toBe(0);
    const events = streamed.stdout.trim().split('\n').map((line) => json<{ type: string; text?: string; requestId?: string }>(line));
    expect(events[0]?.type).toBe('start');
    expect(events.at(-1)?.type).toBe('finish');
    const text = events.filter((event) => event.type === 'delta').map((event) => event.text).join('');
    expect(text.length).toBeGreaterThan(50);

    const human = await run(['chat', '-m', MODEL, 'Invent a holiday.']);
    expect(human.code).toBe(0);
    // The same recording, so the same text: stdout holds the answer and nothing else.
    expect(human.stdout).toBe(`${text}\n`);
    const entry = LogPageSchema.parse(json((await run(['logs', '--json', '-n', '1'])).stdout)).entries[0];
    expect(entry).toMatchObject({ status: 'success', model: MODEL });
    expect(human.stderr.trim()).toBe(
      `${MODEL} · ${entry?.inputTokens} in · ${entry?.outputTokens} out · $${Number(entry?.cost?.total.toPrecision(3))} · ${Math.round(entry?.latencyMs ?? 0)} ms (first token ${Math.round(entry?.ttftMs ?? 0)} ms)`,
    );
    expect(upstream.requests.at(-1)?.body).toMatchObject({ messages: [{ role: 'user', content: 'Invent a holiday.' }] });
  });

  it('reads the prompt from stdin (then the argument), with a system prompt', async () => {
    const result = await run(['chat', '-m', MODEL, '--system', 'Be brief.', 'Summarise this.'], { input: 'The notes: aiu has a CLI now.\n' });
    expect(result.code).toBe(0);
    expect(upstream.requests.at(-1)?.body).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'The notes: aiu has a CLI now.\n\nSummarise this.' },
      ],
    });
    const piped = await run(['chat', '-m', MODEL], { input: 'Only stdin.' });
    expect(piped.code).toBe(0);
    expect(upstream.requests.at(-1)?.body).toMatchObject({ messages: [{ role: 'user', content: 'Only stdin.' }] });
  });

  it('Ctrl-C stops the stream and the call is logged as aborted', async () => {
    upstream.set({ chunkDelayMs: 100 });
    try {
      const child = spawnAiu(['chat', '-m', MODEL, 'Invent a holiday.'], { cwd: dir, env });
      child.stdin?.end();
      const done = finished(child);
      await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
      child.kill('SIGINT');
      const result = await done;
      expect(result.code).toBe(130);
      const id = /logged as aborted \((req_[a-z0-9]+)\)/.exec(result.stderr)?.[1];
      expect(id).toBeDefined();
      const entry = LogPageSchema.parse(json((await run(['logs', '--json', '-n', '5'])).stdout)).entries.find((e) => e.id === id);
      expect(entry).toMatchObject({ status: 'aborted', estimated: true });
      expect(entry?.outputTokens).toBeGreaterThan(0);
    } finally {
      upstream.reset();
    }
  });

  it('logs: newest first with date and time, tokens, cost, latency; filters; --json', async () => {
    const page = LogPageSchema.parse(json((await run(['logs', '--json'])).stdout));
    expect(page.entries.length).toBeGreaterThanOrEqual(4);
    const table = await run(['logs', '-n', '3']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+MODEL\s+STATUS\s+IN\s+OUT\s+COST\s+LATENCY\s+ID$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+openai:gpt-4\.1-nano/);
    expect(lines[1]).toContain(page.entries[0]?.id);
    const aborted = LogPageSchema.parse(json((await run(['logs', '--json', '--status', 'aborted'])).stdout));
    expect(aborted.entries.length).toBeGreaterThan(0);
    expect(aborted.entries.every((entry) => entry.status === 'aborted')).toBe(true);
  });

  it('logs --follow prints an entry made after it started', async () => {
    const child = spawnAiu(['logs', '--follow', '-n', '1', '--interval', '200ms'], { cwd: dir, env });
    child.stdin?.end();
    const done = finished(child);
    await waitForLine(child, (line) => line.startsWith('TIME'));
    const made = await run(['chat', '-m', MODEL, '--json', 'One more.']);
    const id = json<{ requestId: string }>(made.stdout.split('\n')[0] as string).requestId;
    const line = await waitForLine(child, (text) => text.includes(id));
    expect(line).toMatch(/openai:gpt-4\.1-nano\s+success/);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    // Printed once, not again on each poll.
    expect(result.stdout.split(id).length - 1).toBe(1);
  });

  it('usage: a table by model or day with totals and p50/p95; --json is the report', async () => {
    const report = UsageReportSchema.parse(json((await run(['usage', '--from', '1d', '--json'])).stdout));
    const logged = LogPageSchema.parse(json((await run(['logs', '--json', '-n', '500'])).stdout)).entries;
    expect(report.totals.requests).toBe(logged.length);
    expect(report.totals.outputTokens).toBe(logged.reduce((sum, entry) => sum + entry.outputTokens, 0));

    const table = await run(['usage', '--from', '1d']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/MODEL\s+REQUESTS\s+ERRORS\s+IN\s+OUT\s+COST\s+P50\s+P95/);
    const total = table.stdout.split('\n').find((line) => line.startsWith('TOTAL'));
    expect(total).toMatch(new RegExp(`^TOTAL\\s+${report.totals.requests}\\s`));
    const byDay = await run(['usage', '--from', '1d', '--by', 'day']);
    expect(byDay.stdout).toMatch(/^DAY\s+REQUESTS/m);
    expect(byDay.stdout).toMatch(new RegExp(`^${new Date().toISOString().slice(0, 10)}\\s+\\d+`, 'm'));
  });

  it('export: CSV to a file (whole or nothing), JSON Lines to stdout', async () => {
    const logged = LogPageSchema.parse(json((await run(['logs', '--json', '-n', '500'])).stdout)).entries;
    const out = join(dir, 'exports', '..', 'log.csv');
    const toFile = await run(['export', '--out', out]);
    expect(toFile.code).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^id,time,/);
    expect(csv).toHaveLength(logged.length + 1);
    expect(toFile.stderr).toContain(`${logged.length} entries`);
    expect(readdirSync(dir).filter((name) => name.includes('.partial'))).toEqual([]);

    const lines = await run(['export', '--format', 'jsonl']);
    const ids = lines.stdout.trim().split('\n').map((line) => json<{ id: string }>(line).id);
    expect(new Set(ids)).toEqual(new Set(logged.map((entry) => entry.id)));
    const summary = json<{ entries: number; format: string }>((await run(['export', '--json', '--format', 'jsonl', '--out', join(dir, 'log.jsonl')])).stdout);
    expect(summary).toMatchObject({ entries: logged.length, format: 'jsonl' });

    // A failing export leaves the previous file as it was.
    writeFileSync(out, 'previous');
    const failed = await run(['export', '--out', out, '--status', 'bogus']);
    expect(failed.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});

describe('settings: .env, aiu.config, the master key', () => {
  it('reads .env and aiu.config.json (createAiu options: a route here), the shell winning over the file', async () => {
    const folder = tempDir();
    writeFileSync(join(folder, '.env'), `AIU_MASTER_KEY=${MASTER}\nAIU_DATABASE_URL=from-dotenv.db\nOPENAI_BASE_URL=${upstream.url}/v1\nOPENAI_API_KEY=${PROVIDER_KEY}\n`);
    writeFileSync(join(folder, 'aiu.config.json'), JSON.stringify({ routes: { fast: [MODEL] } }));
    const chat = await aiu(['chat', '-m', 'fast', '--json', 'hi'], { cwd: folder });
    expect(chat.code, chat.stderr).toBe(0);
    expect(json<{ model: string }>(chat.stdout.split('\n')[0] as string).model).toBe(MODEL);
    expect(existsSync(join(folder, 'from-dotenv.db'))).toBe(true);
    const shell = await aiu(['logs', '--json'], { cwd: folder, env: { AIU_DATABASE_URL: join(folder, 'from-shell.db') } });
    expect(json<{ entries: unknown[] }>(shell.stdout).entries).toEqual([]);
  });

  it('a misspelled option in the config file: exit 1 naming it and the nearest valid one', async () => {
    const folder = tempDir();
    writeFileSync(join(folder, 'aiu.config.mjs'), 'export default { logBody: true };\n');
    const result = await aiu(['logs'], { cwd: folder, env: { AIU_MASTER_KEY: MASTER } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/logBody.*did you mean logBodies.*\[invalid_config\].*aiu\.config\.mjs/);
  });

  it('storing or testing a key without a master key: exit 1, run aiu init — nothing made up', async () => {
    const folder = tempDir();
    const result = await aiu(['keys', 'add', 'openai', '--key', 'sk-no-master-000000000000000000'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AIU_MASTER_KEY is not set.*\[missing_master_key\].*aiu init/);
    expect(existsSync(join(folder, '.aiu', 'master.key'))).toBe(false);
    const production = await aiu(['logs'], { cwd: folder, env: { NODE_ENV: 'production' } });
    expect(production.code).toBe(1);
    expect(production.stderr).toContain('[missing_master_key]');
  });
});
