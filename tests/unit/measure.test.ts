import { describe, expect, it } from 'vitest';
import { measureFrames, summarise } from '../../src/pipeline/measure';

describe('benchmark timing', () => {
  it('takes the median and the 95th percentile by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1…100, shuffled order does not matter
    expect(summarise(values)).toEqual({ median: 51, p95: 96 });
    expect(summarise([2.00049])).toEqual({ median: 2, p95: 2 });
    expect(() => summarise([])).toThrow(/no values/);
  });

  it('leaves the warm-up frames out and summarises each stage', async () => {
    const seen: number[] = [];
    const timings = await measureFrames(4, 2, async (i) => {
      seen.push(i);
      return { detect: i < 0 ? 1000 : 10 + i, total: i < 0 ? 1000 : 20 };
    });
    expect(seen).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(timings).toEqual({ detect: { median: 12, p95: 13 }, total: { median: 20, p95: 20 } });
    await expect(measureFrames(0, 0, async () => ({ total: 1 }))).rejects.toThrow(/at least 1/);
  });
});
