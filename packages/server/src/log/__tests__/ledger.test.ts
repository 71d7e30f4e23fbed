import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loggedCall } from '../../../test/logRecords';
import { sqliteStore } from '../../stores/sqlite';
import { CallLedger, STALE_AFTER_MS } from '../ledger';

const interrupted = (id: string) => loggedCall({ id, status: 'interrupted', errorCode: 'interrupted', estimated: true, outputTokens: 0, totalTokens: 10 });

/** A pid that existed a moment ago and exists no more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('CallLedger', () => {
  it('recovers at start what a dead process on this host left, and leaves a live instance alone until it goes quiet', async () => {
    const store = sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-ledger-')), 'aiu.db') });
    await store.init();
    const pending = store.pending!;
    const now = Date.now();
    await pending.heartbeat({ id: 'crashed', host: hostname(), pid: deadPid() }, now);
    await pending.begin(interrupted('req_crashed'), 'crashed');
    await pending.heartbeat({ id: 'elsewhere', host: 'another-host', pid: 1 }, now);
    await pending.begin(interrupted('req_elsewhere'), 'elsewhere');

    const warnings: string[] = [];
    const ledger = new CallLedger(async () => store, { warn: (message) => warnings.push(message) });
    await ledger.attach(store);
    expect((await store.listLogs({ limit: 10 })).map((r) => r.id)).toEqual(['req_crashed']);
    expect(warnings).toEqual([expect.stringMatching(/1 call\(s\) were in flight when an earlier process stopped/)]);

    // Another host's instance is trusted while its heartbeat is fresh, recovered once it is stale.
    expect(await ledger.recoverDead(now + STALE_AFTER_MS - 1_000)).toBe(0);
    expect(await ledger.recoverDead(now + STALE_AFTER_MS + 1_000)).toBe(1);
    expect((await store.listLogs({ limit: 10 })).map((r) => r.id).sort()).toEqual(['req_crashed', 'req_elsewhere']);

    // Its own calls are never recovered, however old.
    await ledger.begin(() => interrupted('req_mine'));
    expect(await ledger.recoverDead(now + 10 * STALE_AFTER_MS)).toBe(0);
    await ledger.close();
    await store.close();
  });

  it('never takes the calls of another live instance in the same process (two aiu instances, one store)', async () => {
    const store = sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-ledger-')), 'aiu.db') });
    await store.init();
    const quiet = { warn: () => undefined };
    const a = new CallLedger(async () => store, quiet);
    await a.attach(store);
    await a.begin(() => interrupted('req_a'));
    const b = new CallLedger(async () => store, quiet);
    await b.attach(store);
    expect(await b.recoverDead()).toBe(0);
    expect(await store.listLogs({ limit: 10 })).toEqual([]);
    // Once a is gone without logging its call (its entry lost with the process), b recovers it.
    await a.close();
    expect(await b.recoverDead()).toBe(1);
    await b.close();
    await store.close();
  });
});
