import { ClientKeyListSchema, LogPageSchema, UsageReportSchema } from '@aiu/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loggedCall } from '../../test/logRecords';
import { storeMatrix } from '../../test/postgres';
import { createAiu } from '../createAiu';
import { memoryStore } from '../stores/memory';
import type { AiuStore } from '../stores/types';

/**
 * A tenant is the pair (user, project): every read — log pages, one entry, the export, usage,
 * client keys — shows a tenant its own and nothing else, on every store. With `identify`
 * returning no identity, reads see only unowned entries.
 */
const matrix = await storeMatrix();
afterAll(() => matrix.dispose());

const TENANTS = [
  { userId: 'u1', projectId: 'acme' },
  { userId: null, projectId: 'acme' },
  { userId: null, projectId: 'globex' },
  { userId: 'u1', projectId: 'globex' },
  { userId: 'u1', projectId: null },
  { userId: null, projectId: null },
] as const;

const name = (t: (typeof TENANTS)[number]) => `${t.userId ?? '-'}@${t.projectId ?? '-'}`;

function tenantAiu(store: AiuStore) {
  return createAiu({
    store,
    env: {},
    logger: { warn() {} },
    keyring: false,
    // The tenant comes from two headers; no headers at all is no identity.
    identify: (request) => {
      const userId = request.headers.get('x-user');
      const projectId = request.headers.get('x-project');
      return userId || projectId ? { userId, projectId } : null;
    },
    authorize: ({ resource }) => resource.owner === undefined,
  });
}

describe.each(matrix.stores)('tenancy on %s', (_kind, make) => {
  it('every read shows a tenant its own entries, usage and client keys, and nothing of any other', async () => {
    const store = make();
    await store.init();
    // Two calls per tenant, the entry id naming its owner.
    await store.insertLogs(
      TENANTS.flatMap((tenant, i) =>
        [0, 1].map((n) => loggedCall({ id: `req_${i}x${n}`, time: Date.now() - (i * 2 + n) * 1000, userId: tenant.userId, projectId: tenant.projectId, costTotal: 0.001 * (i + 1), costInput: 0.001 * (i + 1), costOutput: 0 })),
      ),
    );
    const aiu = tenantAiu(store);
    try {
      const as = (tenant: (typeof TENANTS)[number] | null, path: string, init: RequestInit = {}) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (tenant?.userId) headers['x-user'] = tenant.userId;
        if (tenant?.projectId) headers['x-project'] = tenant.projectId;
        return aiu.handler(new Request(`http://localhost${path}`, { ...init, headers }), { clientAddress: '127.0.0.1' });
      };
      for (const [i, tenant] of TENANTS.entries()) {
        const own = [`req_${i}x0`, `req_${i}x1`];
        const page = LogPageSchema.parse(await (await as(tenant, '/logs')).json());
        expect([name(tenant), page.entries.map((e) => e.id)]).toEqual([name(tenant), own]);
        // A cursor walks the same tenant's entries.
        const first = LogPageSchema.parse(await (await as(tenant, '/logs?limit=1')).json());
        const next = LogPageSchema.parse(await (await as(tenant, `/logs?limit=1&cursor=${first.nextCursor ?? ''}`)).json());
        expect([...first.entries, ...next.entries].map((e) => e.id)).toEqual(own);
        const exported = (await (await as(tenant, '/logs/export?format=jsonl')).text()).trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
        expect([name(tenant), exported]).toEqual([name(tenant), own]);
        const usage = UsageReportSchema.parse(await (await as(tenant, '/usage')).json());
        expect([name(tenant), usage.totals.requests, Math.round(usage.totals.cost * 1e6)]).toEqual([name(tenant), 2, 2000 * (i + 1)]);
        // Another tenant's entry answers exactly like a missing one.
        const other = (i + 1) % TENANTS.length;
        expect((await as(tenant, `/logs/req_${other}x0`)).status).toBe(404);
        expect((await as(tenant, `/logs/req_${i}x0`)).status).toBe(200);
      }
      // No identity at all: only unowned entries.
      const anonymous = LogPageSchema.parse(await (await as(null, '/logs')).json());
      expect(anonymous.entries.map((e) => e.id)).toEqual(['req_5x0', 'req_5x1']);

      // Client keys: each tenant lists only the keys it made.
      for (const tenant of TENANTS) {
        const created = await as(tenant, '/client-keys', { method: 'POST', body: JSON.stringify({ name: `key of ${name(tenant)}` }) });
        expect(created.status).toBe(201);
      }
      for (const tenant of TENANTS) {
        const list = ClientKeyListSchema.parse(await (await as(tenant, '/client-keys')).json());
        expect(list.keys.map((key) => key.name)).toEqual([`key of ${name(tenant)}`]);
      }
    } finally {
      await aiu.close();
    }
  });
});

describe('log routes are secure by default, like key routes', () => {
  const paths = ['/logs', '/logs/req_x', '/logs/export?format=csv', '/usage'];

  it('without authorize: loopback only outside production, nobody in production', async () => {
    for (const production of [false, true]) {
      const aiu = createAiu({ store: memoryStore(), env: { NODE_ENV: production ? 'production' : 'development', AIU_MASTER_KEY: 'a'.repeat(64) }, logger: { warn() {} }, keyring: false });
      try {
        for (const path of paths) {
          const remote = await aiu.handler(new Request(`http://localhost${path}`), { clientAddress: '203.0.113.7' });
          expect([path, remote.status]).toEqual([path, 403]);
          const body = (await remote.json()) as { error: { message: string } };
          expect(body.error.message).toMatch(production ? /need createAiu\(\{ authorize \}\) in production/ : /answer only local requests/);
          const local = await aiu.handler(new Request(`http://localhost${path}`), { clientAddress: '127.0.0.1' });
          expect([path, local.status === 403]).toEqual([path, production]);
        }
      } finally {
        await aiu.close();
      }
    }
  });

  it('authorize decides for every caller, own reads included', async () => {
    const aiu = createAiu({
      store: memoryStore(),
      env: { NODE_ENV: 'production', AIU_MASTER_KEY: 'a'.repeat(64) },
      logger: { warn() {} },
      keyring: false,
      identify: (request) => ({ userId: request.headers.get('x-user') }),
      authorize: ({ identity, action }) => identity.userId === 'ops' && action === 'logs:read',
    });
    try {
      const as = (user: string, path: string) => aiu.handler(new Request(`http://localhost${path}`, { headers: { 'x-user': user } }), { clientAddress: '203.0.113.7' });
      expect((await as('ops', '/logs')).status).toBe(200);
      expect((await as('ops', '/usage')).status).toBe(403);
      expect((await as('someone', '/logs')).status).toBe(403);
    } finally {
      await aiu.close();
    }
  });
});
