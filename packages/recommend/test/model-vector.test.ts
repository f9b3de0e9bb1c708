import { describe, expect, it } from 'vitest';
import { initItemFactors, itemModelVector, itemsFromModelVector, seededRandom } from '../src/index.js';

describe('item model vector', () => {
  it('round-trips the factors and biases, and the optimiser state only when asked', () => {
    const items = {
      ...initItemFactors(5, 3, seededRandom('mv')),
      accumulator: Float64Array.from({ length: 20 }, (_, i) => i),
    };
    items.biases.set([1, 2, 3, 4, 5]);
    const plain = itemModelVector(items);
    expect(plain.length).toBe(20);
    const back = itemsFromModelVector(plain, 5, 3);
    expect([...back.factors]).toEqual([...items.factors]);
    expect([...back.biases]).toEqual([1, 2, 3, 4, 5]);
    expect(back.accumulator).toBeUndefined();
    const full = itemsFromModelVector(itemModelVector(items, true), 5, 3);
    expect([...full.accumulator!]).toEqual([...items.accumulator]);
  });

  it('refuses a vector of the wrong length or with a non-finite value', () => {
    expect(() => itemsFromModelVector(new Float64Array(7), 5, 3)).toThrow(/has 20 values.*got 7/);
    const bad = new Float64Array(20);
    bad[4] = Number.NaN;
    expect(() => itemsFromModelVector(bad, 5, 3)).toThrow(/value 4 is NaN/);
  });
});
