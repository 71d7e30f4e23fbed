import { afterAll, describe, expect, it } from 'vitest';
import { storeMatrix } from '../../../test/postgres';
import type { ConversationRow } from '../types';

const matrix = await storeMatrix();
afterAll(() => matrix.dispose());

function row(overrides: Partial<Omit<ConversationRow, 'version'>> & { id: string }): Omit<ConversationRow, 'version'> {
  return {
    owner: 'user:a',
    title: 'Holidays in Lisbon',
    model: 'openai:gpt-4.1-nano',
    messageCount: 2,
    body: JSON.stringify({ messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Olá — ☀️' }] }], metadata: { temperature: 0.2 } }),
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

describe.each(matrix.stores)('conversation store conformance: %s', (_kind, make) => {
  async function open() {
    const store = make();
    await store.init();
    const conversations = store.conversations;
    if (!conversations) throw new Error('store keeps no conversations');
    return { store, conversations };
  }

  it('keeps every field and the body byte for byte; a replace keeps createdAt and counts the version up', async () => {
    const { store, conversations } = await open();
    const first = row({ id: 'c1' });
    const saved = await conversations.save(first);
    expect(saved).toEqual({ saved: { ...first, version: 1 } });
    expect(await conversations.get('user:a', 'c1')).toEqual({ ...first, version: 1 });

    const replaced = row({ id: 'c1', title: 'Lisbon, day two', model: null, messageCount: 4, body: '{"messages":[],"metadata":{}}', createdAt: 1_800_000_000_000, updatedAt: 1_700_000_100_000 });
    expect(await conversations.save(replaced)).toEqual({ saved: { ...replaced, createdAt: first.createdAt, version: 2 } });
    expect(await conversations.get('user:a', 'c1')).toEqual({ ...replaced, createdAt: first.createdAt, version: 2 });
    await store.close();
  });

  it('ids are per owner: the same id is two threads, and one owner never reads, lists or deletes another\'s', async () => {
    const { store, conversations } = await open();
    await conversations.save(row({ id: 'same', owner: 'user:a', title: 'a' }));
    await conversations.save(row({ id: 'same', owner: 'user:b', title: 'b' }));
    expect((await conversations.get('user:a', 'same'))?.title).toBe('a');
    expect((await conversations.get('user:b', 'same'))?.title).toBe('b');
    expect(await conversations.get('', 'same')).toBeNull();
    expect(await conversations.list('user:c', { limit: 10 })).toEqual([]);
    expect(await conversations.remove('user:c', 'same')).toBe(false);
    expect(await conversations.remove('user:a', 'same')).toBe(true);
    expect(await conversations.remove('user:a', 'same')).toBe(false);
    expect((await conversations.get('user:b', 'same'))?.title).toBe('b');
    await store.close();
  });

  it('lists last saved first without bodies, and pages by (updatedAt, id) without skipping or repeating', async () => {
    const { store, conversations } = await open();
    // Two pairs share an updatedAt: the id breaks the tie.
    const times = { c1: 1000, c2: 3000, c3: 2000, c4: 3000, c5: 2000 };
    for (const [id, updatedAt] of Object.entries(times)) await conversations.save(row({ id, updatedAt }));
    const all = await conversations.list('user:a', { limit: 10 });
    expect(all.map((c) => c.id)).toEqual(['c4', 'c2', 'c5', 'c3', 'c1']);
    expect(all[0]).not.toHaveProperty('body');
    expect(all[0]).toEqual({ owner: 'user:a', id: 'c4', title: 'Holidays in Lisbon', model: 'openai:gpt-4.1-nano', messageCount: 2, createdAt: 1_700_000_000_000, updatedAt: 3000, version: 1 });

    const seen: string[] = [];
    let before: { updatedAt: number; id: string } | undefined;
    for (;;) {
      const page = await conversations.list('user:a', { limit: 2, before });
      seen.push(...page.map((c) => c.id));
      const last = page.at(-1);
      if (page.length < 2 || !last) break;
      before = { updatedAt: last.updatedAt, id: last.id };
    }
    expect(seen).toEqual(['c4', 'c2', 'c5', 'c3', 'c1']);
    await store.close();
  });

  it('an expected version guards the save: a stale one, a missing thread or "none yet" for an existing one is a conflict that changes nothing', async () => {
    const { store, conversations } = await open();
    expect(await conversations.save(row({ id: 'g', title: 'v1' }), 0)).toMatchObject({ saved: { version: 1 } });
    expect(await conversations.save(row({ id: 'g', title: 'again' }), 0)).toEqual({ conflict: { version: 1 } });
    expect(await conversations.save(row({ id: 'g', title: 'v2' }), 1)).toMatchObject({ saved: { version: 2, title: 'v2' } });
    expect(await conversations.save(row({ id: 'g', title: 'stale' }), 1)).toEqual({ conflict: { version: 2 } });
    expect(await conversations.save(row({ id: 'missing' }), 3)).toEqual({ conflict: { version: null } });
    expect(await conversations.get('user:a', 'missing')).toBeNull();
    expect((await conversations.get('user:a', 'g'))?.title).toBe('v2');
    // Another owner's thread of that id is not in the way.
    expect(await conversations.save(row({ id: 'g', owner: 'user:b' }), 0)).toMatchObject({ saved: { version: 1 } });
    await store.close();
  });

  it('two saves racing on one version: exactly one wins', async () => {
    const { store, conversations } = await open();
    await conversations.save(row({ id: 'race' }));
    const outcomes = await Promise.all([1, 2, 3, 4].map((n) => conversations.save(row({ id: 'race', title: `writer ${n}` }), 1)));
    expect(outcomes.filter((o) => 'saved' in o)).toHaveLength(1);
    expect(outcomes.filter((o) => 'conflict' in o)).toHaveLength(3);
    expect((await conversations.get('user:a', 'race'))?.version).toBe(2);
    await store.close();
  });

  it('survives a reopen (what "kept across a restart" means)', async () => {
    const store = make();
    await store.init();
    if (store.kind === 'memory') {
      await store.close();
      return;
    }
    await store.conversations?.save(row({ id: 'kept' }));
    await store.close();
    // The same store object opened again reads the same database.
    await store.init();
    expect((await store.conversations?.get('user:a', 'kept'))?.title).toBe('Holidays in Lisbon');
    await store.close();
  });
});
