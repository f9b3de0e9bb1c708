import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/ml';
import { ChunkAssembler, chunksOf } from '../src/index.js';

describe('chunksOf + ChunkAssembler', () => {
  const n = 1_000_000;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i) * (i + 1); // distinct values, so a misplaced chunk shows

  function sameValues(a: Float64Array, b: Float64Array): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }

  it.each([1000, 65_536, 999_999, n, 3 * n])('round-trips a 1e6 vector in chunks of %i, in any order', (size) => {
    const chunks = [...chunksOf(v, size)];
    expect(chunks).toHaveLength(Math.ceil(n / size));
    expect(chunks.every((c) => c.values.length <= size && c.values.buffer === v.buffer)).toBe(true);
    seededRandom(size).shuffle(chunks);
    const assembler = new ChunkAssembler(n);
    for (const c of chunks) {
      expect(assembler.complete).toBe(false);
      assembler.add(c.offset, c.values);
    }
    expect(assembler.complete).toBe(true);
    expect(sameValues(assembler.result(), v)).toBe(true);
  });

  it('yields nothing for an empty vector, which is complete at once', () => {
    expect([...chunksOf(new Float64Array(0), 4)]).toEqual([]);
    expect(new ChunkAssembler(0).result()).toHaveLength(0);
  });

  it('rejects a bad chunk size', () => {
    expect(() => chunksOf(v, 0).next()).toThrow(RangeError);
  });
});

describe('ChunkAssembler rejections', () => {
  it('rejects overlapping chunks, naming the offset, and keeps the earlier values', () => {
    const a = new ChunkAssembler(10);
    a.add(0, [1, 2, 3, 4, 5, 6]);
    expect(() => a.add(5, [9, 9])).toThrow(/offset 5 .*index 5/);
    expect(() => a.add(0, [9])).toThrow(/offset 0/);
    a.add(6, [7, 8, 9, 10]);
    expect(Array.from(a.result())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('rejects chunks running past the end or at a bad offset', () => {
    const a = new ChunkAssembler(10);
    expect(() => a.add(8, [1, 2, 3])).toThrow(/offset 8 with length 3 .*length 10/);
    expect(() => a.add(11, [])).toThrow(/offset 11/);
    expect(() => a.add(-2, [1])).toThrow(/offset -2/);
    expect(() => a.add(1.5, [1])).toThrow(/offset 1.5/);
  });

  it('rejects NaN and ±Infinity, naming the offset, without storing the chunk', () => {
    const a = new ChunkAssembler(4);
    expect(() => a.add(2, [1, NaN])).toThrow(/offset 2 .*NaN at index 3/);
    expect(() => a.add(0, [Infinity])).toThrow(/offset 0 .*Infinity/);
    expect(() => a.add(1, [-Infinity])).toThrow(/offset 1 .*-Infinity/);
    a.add(0, [1, 2, 3, 4]);
    expect(Array.from(a.result())).toEqual([1, 2, 3, 4]);
  });

  it('refuses to return an incomplete vector, naming the first gap', () => {
    const a = new ChunkAssembler(6);
    a.add(0, [1, 2]);
    a.add(4, [5, 6]);
    expect(a.complete).toBe(false);
    expect(() => a.result()).toThrow(/2 of 6 values missing, first at offset 2/);
  });
});
