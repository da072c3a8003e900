import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('serves the calls of one turn of the event loop with one run, each caller with its own result', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      runs.push(items);
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
    expect(await batcher.add(4)).toBe(40);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('runs at most maxSize items at once', async () => {
    const runs: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => (runs.push(items), items), 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.add(n)));
    expect(runs).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every caller of a failed run, and the next run starts afresh', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (fail) throw new Error('database away');
      return items;
    });
    const settled = await Promise.allSettled([1, 2].map((n) => batcher.add(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.add(3)).toBe(3);
  });
});
