import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../groupCommit';

describe('GroupCommit', () => {
  it('commits what arrives in one loop turn together, and each add resolves only after its commit', async () => {
    const commits: number[][] = [];
    const group = new GroupCommit<number>((items) => void commits.push(items));
    let settled = false;
    const first = Promise.all([group.add(1), group.add(2), group.add(3)]).then(() => (settled = true));
    expect(settled).toBe(false);
    await first;
    await group.add(4);
    expect(commits).toEqual([[1, 2, 3], [4]]);
  });

  it("rejects every add of a batch whose commit failed, and the next batch starts clean", async () => {
    let fail = true;
    const group = new GroupCommit<number>(() => {
      if (fail) throw new Error('disk full');
    });
    const results = await Promise.allSettled([group.add(1), group.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(group.add(3)).resolves.toBeUndefined();
  });
});
