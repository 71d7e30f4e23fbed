import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loggedCall } from '../../../test/logRecords';
import { sqliteStore } from '../sqlite';

describe("SQLite's in-flight journal", () => {
  it('leaves no file once every call is logged and the instance leaves', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-journal-')), 'aiu.db');
    const store = sqliteStore({ path });
    await store.init();
    await store.pending!.heartbeat({ id: 'i1', host: 'h', pid: 1 }, Date.now());
    await store.pending!.begin(loggedCall({ id: 'req_1', status: 'interrupted' }), 'i1');
    expect(readdirSync(`${path}-inflight`)).toHaveLength(1);
    await store.insertLogs([loggedCall({ id: 'req_1' })]);
    await store.pending!.leave('i1');
    expect(readdirSync(`${path}-inflight`)).toEqual([]);
    await store.close();
  });

  it('ignores a line the crash cut short (that call never left)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-journal-')), 'aiu.db');
    const store = sqliteStore({ path });
    await store.init();
    await store.pending!.heartbeat({ id: 'i1', host: 'h', pid: 1 }, Date.now());
    await store.pending!.begin(loggedCall({ id: 'req_whole', status: 'interrupted' }), 'i1');
    const [file] = readdirSync(`${path}-inflight`);
    appendFileSync(join(`${path}-inflight`, file!), '+{"id":"req_cut","time":17');
    expect(await store.pending!.recover(['i1'])).toBe(1);
    expect((await store.listLogs({ limit: 5 })).map((r) => r.id)).toEqual(['req_whole']);
    expect(readdirSync(`${path}-inflight`)).toEqual([]);
    await store.close();
  });
});
