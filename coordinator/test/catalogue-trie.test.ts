import { describe, expect, it } from 'vitest';
import { CATALOGUE_SYMBOLS, CATALOGUE_TERMINATOR } from '@tessera/jobs';
import { selectExtensions, sortedItems } from '../src/jobs/kinds/catalogue/catalogue-trie.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('catalogue trie', () => {
  it('keeps the extensions at or above the threshold: terminators complete items, bytes extend prefixes', () => {
    const prefixes = [enc('ab'), enc('é')];
    const counts = new Float64Array(2 * CATALOGUE_SYMBOLS);
    counts[CATALOGUE_TERMINATOR] = 40; // "ab" ends
    counts['c'.charCodeAt(0)] = 39.9; // "abc" just below
    counts['d'.charCodeAt(0)] = 55; // "abd"
    counts[CATALOGUE_SYMBOLS + CATALOGUE_TERMINATOR] = 70; // "é" ends
    counts[CATALOGUE_SYMBOLS + 1] = -90; // noise far below
    const s = selectExtensions(prefixes, counts, 40, 10);
    expect(s.completed).toEqual([
      { id: 'é', count: 70 },
      { id: 'ab', count: 40 },
    ]);
    expect(s.next.map(dec)).toEqual(['abd']);
    expect(s.cleared).toBe(3);
  });

  it('keeps the maxCandidates largest, drops the empty id and a completion that is not UTF-8', () => {
    const prefixes = [enc(''), new Uint8Array([0xc3])];
    const counts = new Float64Array(2 * CATALOGUE_SYMBOLS);
    counts[CATALOGUE_TERMINATOR] = 500;
    for (let b = 0; b < 5; b++) counts[97 + b] = 100 + b;
    counts[CATALOGUE_SYMBOLS + CATALOGUE_TERMINATOR] = 300; // 0xc3 alone is not UTF-8
    const s = selectExtensions(prefixes, counts, 50, 4);
    expect(s.completed).toEqual([]);
    expect(s.invalid).toBe(1);
    expect(s.next.map(dec)).toEqual(['e', 'd']);
    expect(s.cleared).toBe(7);
    expect(() => selectExtensions(prefixes, new Float64Array(3), 1, 1)).toThrow(/sums 514 counts, got 3/);
  });

  it('sorts items by count, then id', () => {
    expect(
      sortedItems([
        { id: 'b', count: 1 },
        { id: 'a', count: 1 },
        { id: 'c', count: 5 },
      ]).map((i) => i.id),
    ).toEqual(['c', 'a', 'b']);
  });
});
