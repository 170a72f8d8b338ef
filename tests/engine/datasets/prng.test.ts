import { describe, expect, it } from 'vitest';
import { Random, deriveSeed, hashString } from '../../../src/engine/datasets/prng.ts';

describe('Random (xoshiro128** seeded by splitmix32)', () => {
  it('repeats the same stream for the same seed and differs for another seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    const c = new Random(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
  });

  it('gives uniform and Gaussian samples with the right moments', () => {
    const r = new Random(7);
    const n = 200_000;
    let su = 0;
    let sg = 0;
    let sg2 = 0;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      su += u;
      const g = r.gaussian();
      sg += g;
      sg2 += g * g;
      if (g < -1.96) below++;
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sg / n).toBeCloseTo(0, 2);
    expect(sg2 / n).toBeCloseTo(1, 1);
    expect(below / n).toBeGreaterThan(0.02);
    expect(below / n).toBeLessThan(0.03);
  });

  it('int() covers both ends of its inclusive range', () => {
    const r = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('derives distinct, stable sub-stream seeds from labels', () => {
    expect(hashString('fan/id_00')).toBe(hashString('fan/id_00'));
    expect(deriveSeed(0, 'a')).toBe(deriveSeed(0, 'a'));
    expect(deriveSeed(0, 'a')).not.toBe(deriveSeed(0, 'b'));
    expect(deriveSeed(0, 'a')).not.toBe(deriveSeed(1, 'a'));
  });
});
