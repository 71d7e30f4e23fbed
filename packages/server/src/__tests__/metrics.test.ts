import { LogPageSchema } from '@aiu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, issueClientKey, type TestRig } from '../../test/helpers';

const LOCAL = { clientAddress: '127.0.0.1' };
const messages = [{ role: 'user', content: 'Invent a holiday.' }];

/** `name{labels} value` lines of a Prometheus text page, labels as written. */
function samples(page: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of page.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}

const metricsRequest = (init: RequestInit = {}) => new Request('http://localhost/api/aiu/metrics', init);

let rig: TestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('GET /metrics', () => {
  it('counts every logged call by provider, model and status, with the tokens, cost and latency the log holds', async () => {
    rig = await createRig({ metrics: true });
    const { aiu } = rig;
    for (let i = 0; i < 2; i++) expect((await aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false }))).status).toBe(200);
    // The provider refuses the next call (a recorded 400): an error entry.
    rig.upstream.set({ error: { status: 400, fixture: 'openai/reasoning-model-legacy-parameter-error' }, errorTimes: 1 });
    await aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false }));
    await aiu.flush();

    const response = await aiu.handler(metricsRequest(), LOCAL);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = samples(await response.text());
    const log = LogPageSchema.parse(await (await aiu.handler(new Request('http://localhost/api/aiu/logs'), LOCAL)).json());

    const byStatus = new Map<string, number>();
    for (const entry of log.entries) byStatus.set(entry.status, (byStatus.get(entry.status) ?? 0) + 1);
    for (const [status, count] of byStatus) {
      expect(page.get(`aiu_requests_total{provider="openai",model="${log.entries[0]?.model}",status="${status}"}`)).toBe(count);
    }
    const success = log.entries.filter((entry) => entry.status === 'success');
    expect(success.length).toBe(2);
    const where = `provider="openai",model="${success[0]?.model}"`;
    expect(page.get(`aiu_tokens_total{${where},type="input"}`)).toBe(log.entries.reduce((sum, entry) => sum + entry.inputTokens, 0));
    expect(page.get(`aiu_tokens_total{${where},type="output"}`)).toBe(log.entries.reduce((sum, entry) => sum + entry.outputTokens, 0));
    const cost = log.entries.reduce((sum, entry) => sum + (entry.cost?.total ?? 0), 0);
    expect(cost).toBeGreaterThan(0);
    expect(page.get(`aiu_cost_usd_total{${where}}`)).toBeCloseTo(cost, 12);
    expect(page.get(`aiu_request_duration_seconds_count{${where},status="success"}`)).toBe(2);
    const latency = success.reduce((sum, entry) => sum + entry.latencyMs, 0) / 1000;
    expect(page.get(`aiu_request_duration_seconds_sum{${where},status="success"}`)).toBeCloseTo(latency, 6);
    expect(page.get('aiu_requests_in_flight')).toBe(0);
  });

  it('observes time to first token for streamed calls', async () => {
    rig = await createRig({ metrics: true });
    await (await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }))).text();
    await rig.aiu.flush();
    const page = samples(await (await rig.aiu.handler(metricsRequest(), LOCAL)).text());
    const count = [...page].find(([name]) => name.startsWith('aiu_time_to_first_token_seconds_count{'));
    expect(count?.[1]).toBe(1);
  });

  it('keeps two instances in one process apart', async () => {
    rig = await createRig({ metrics: true });
    const other = await createRig({ metrics: true });
    try {
      await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false }));
      const page = samples(await (await other.aiu.handler(metricsRequest(), LOCAL)).text());
      expect([...page.keys()].filter((name) => name.startsWith('aiu_requests_total'))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('is off unless asked for, and says how to turn it on', async () => {
    rig = await createRig();
    const response = await rig.aiu.handler(metricsRequest(), LOCAL);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('createAiu({ metrics: true })');
  });

  it('is guarded like the log routes: loopback outside production, never a client key, authorize decides', async () => {
    rig = await createRig({ metrics: true });
    expect((await rig.aiu.handler(metricsRequest(), { clientAddress: '203.0.113.9' })).status).toBe(403);
    const { key } = await issueClientKey(rig.aiu);
    expect((await rig.aiu.handler(metricsRequest({ headers: { authorization: `Bearer ${key}` } }), LOCAL)).status).toBe(403);

    const production = await createRig({ metrics: true, env: { NODE_ENV: 'production', AIU_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') } });
    try {
      const refused = await production.aiu.handler(metricsRequest(), LOCAL);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('authorize');
    } finally {
      await production.close();
    }

    const actions: string[] = [];
    const allowed = await createRig({ metrics: true, authorize: ({ action }) => (actions.push(action), action === 'metrics:read') });
    try {
      expect((await allowed.aiu.handler(metricsRequest(), { clientAddress: '203.0.113.9' })).status).toBe(200);
      expect(actions).toEqual(['metrics:read']);
    } finally {
      await allowed.close();
    }
  });

  it('rejects a misspelled metrics option at startup', async () => {
    await expect(createRig({ metrics: { proces: true } as never })).rejects.toThrow(/metrics\.proces.*did you mean metrics\.process/);
  });
});
