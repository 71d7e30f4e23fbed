// Client keys: what recognising a caller's `aiu_…` key costs a request, in this process, on the
// published build. The same route (GET /health: no body, no store, no provider) with and without
// the key, interleaved in rounds so both see the same machine; the difference is the lookup
// (header, SHA-256, cache; one store read per key every CLIENT_KEY_CACHE_MS). CPU time, not wall.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAiu } from '@aiu/server';
import { sqliteStore } from '@aiu/server/sqlite';
import { median, type Benchmark, type Figure } from './stats';

async function cpuMicrosPerCall(call: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

export const clientKeysBenchmark: Benchmark = {
  name: 'Client keys',
  async run({ quick }) {
    const aiu = createAiu({ store: sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-bench-ck-')), 'aiu.db') }), env: {}, keyring: false, logger: { warn() {} }, providers: { openai: { apiKey: 'sk-bench-0000000000000000' } } });
    const created = await aiu.handler(
      new Request('http://localhost/client-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' }),
      { clientAddress: '127.0.0.1' },
    );
    const { key } = (await created.json()) as { key: string };
    const plain = () => aiu.handler(new Request('http://localhost/health'));
    const keyed = () => aiu.handler(new Request('http://localhost/health', { headers: { authorization: `Bearer ${key}` } }));
    for (const call of [plain, keyed]) if ((await call()).status !== 200) throw new Error('GET /health did not answer 200');
    const calls = quick ? 5_000 : 20_000;
    const without: number[] = [];
    const withKey: number[] = [];
    for (let round = 0; round < (quick ? 4 : 10); round++) {
      without.push(await cpuMicrosPerCall(plain, calls));
      withKey.push(await cpuMicrosPerCall(keyed, calls));
    }
    await aiu.close();
    const base = median(without);
    const keyedMedian = median(withKey);
    const figures: Figure[] = [
      { name: 'GET /health, no client key (CPU per request)', value: base, unit: 'µs' },
      { name: 'GET /health with a client key (CPU per request)', value: keyedMedian, unit: 'µs', ratio: { to: 'without', value: keyedMedian / base } },
      { name: 'client-key lookup, cached (CPU added per request)', value: keyedMedian - base, unit: 'µs', goal: { value: 10, lowerIsBetter: true } },
    ];
    return figures;
  },
};
