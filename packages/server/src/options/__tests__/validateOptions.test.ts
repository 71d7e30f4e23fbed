import { describe, expect, it } from 'vitest';
import { createAiu, type AiuOptions } from '../../index';
import { memoryStore } from '../../stores/memory';

/** Options as a user's JavaScript (or a config file) would pass them: not checked by TypeScript. */
const build = (options: Record<string, unknown>) => () => createAiu({ store: memoryStore(), keyring: false, ...options } as AiuOptions);

describe('createAiu option validation', () => {
  it('names a misplaced provider limit and where it belongs', () => {
    expect(build({ limits: { perProvider: { openai: { maxConcurrency: 2 } } } })).toThrow(
      /limits\.perProvider\.openai is not an option — did you mean limits\.providers\.openai\?/,
    );
  });

  it('names the nearest spelling at the same level', () => {
    expect(build({ retries: { maxAttemps: 2 } })).toThrow(/retries\.maxAttemps is not an option — did you mean retries\.maxAttempts\?/);
    expect(build({ logBody: true })).toThrow(/logBody is not an option — did you mean logBodies\?/);
    expect(build({ providers: { openai: { baseUrl: 'http://127.0.0.1:1' } } })).toThrow(/providers\.openai\.baseUrl is not an option — did you mean providers\.openai\.baseURL\?/);
  });

  it('names the one place an option lives when it is given at the wrong level', () => {
    expect(build({ maxConcurrency: 2 })).toThrow(/maxConcurrency is not an option — did you mean limits\.perProvider\.maxConcurrency\?/);
    expect(build({ quotas: { costUsd: 5 } })).toThrow(/quotas\.costUsd is not an option/);
  });

  it('rejects values of the wrong type or range with the path', () => {
    expect(build({ quotas: { daily: { costUsd: -1 } } })).toThrow(/quotas\.daily\.costUsd: /);
    expect(build({ limits: { providers: { openai: { rpm: 'fast' } } } })).toThrow(/limits\.providers\.openai\.rpm: .*number/);
    expect(build({ tools: { weather: { inputSchema: {} } } })).toThrow(/tools\.weather\.execute: Expected a function/);
  });

  it('never repeats a value in the message (a key may be one)', () => {
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    let message = '';
    try {
      build({ providers: { openai: { apiKey: secret, apikey: secret } } })();
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(/providers\.openai\.apikey is not an option/);
    expect(message).not.toContain(secret);
  });

  it('accepts every documented option', async () => {
    const aiu = createAiu({
      store: memoryStore(),
      keyring: false,
      providers: { openai: { apiKey: 'x', baseURL: 'http://127.0.0.1:1' }, local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:2', envKey: 'LOCAL_KEY' }, openrouter: { appName: 'a' } },
      pricing: { 'openai:gpt-4o-mini': { input: 0.15, output: 0.6 } },
      identify: () => null,
      authorize: () => true,
      env: { OPENAI_API_KEY: undefined },
      logger: { warn: () => undefined },
      maxBodyBytes: 1024,
      tools: { now: { description: 'time', inputSchema: { type: 'object' }, execute: () => 1, needsApproval: false } },
      toolTimeoutMs: 10,
      basePath: '/api/aiu',
      log: { flushIntervalMs: 10, maxBatch: 5 },
      limits: { perProvider: { rpm: 5, maxConcurrency: 2 }, providers: { openai: { tpm: 100 } }, perKey: { rpm: 1 }, queueTimeoutMs: 0 },
      retries: { maxAttempts: 1 },
      breaker: { failureRate: 0.5, cooldownMs: 10 },
      quotas: { daily: { costUsd: 1 }, monthly: { tokens: 10 } },
      timeouts: { totalMs: 1000 },
      routes: { fast: ['openai:gpt-4o-mini'] },
      logBodies: { maxChars: 100 },
      guardrails: { secrets: { action: 'block', rules: { jwt: 'flag' } }, pii: 'flag', answers: 'flag', custom: [() => null] },
    });
    await aiu.close();
  });
});
