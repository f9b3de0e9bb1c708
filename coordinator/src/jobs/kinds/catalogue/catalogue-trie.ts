// How a catalogue round's noisy counts grow the trie: which extensions survive, which items they complete. Pure.
import { CATALOGUE_SYMBOLS, CATALOGUE_TERMINATOR } from '@tessera/jobs';

/** An item the catalogue found, with the noisy count of customers that completed it. */
export interface CatalogueItem {
  id: string;
  count: number;
}

/** What one round keeps: the items it completed and the prefixes the next round extends. */
export interface CatalogueSelection {
  completed: CatalogueItem[];
  next: Uint8Array[];
  /** Extensions at or above the threshold before maxCandidates cut them. */
  cleared: number;
  /** Completions whose bytes are not UTF-8 (dropped; only noise or a byte-level collision could make one). */
  invalid: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The extensions of `prefixes` whose noisy count in `counts` (prefixes x 257, as catalogueVotes lays them out) is at
 * least `threshold`, the `maxCandidates` largest of them (ties by position, so the choice is deterministic): a
 * terminator completes its prefix as an item, any other byte extends it into a prefix of the next round.
 */
export function selectExtensions(
  prefixes: readonly Uint8Array[],
  counts: Float64Array,
  threshold: number,
  maxCandidates: number,
): CatalogueSelection {
  if (counts.length !== prefixes.length * CATALOGUE_SYMBOLS)
    throw new Error(
      `a catalogue round over ${prefixes.length} prefixes sums ${prefixes.length * CATALOGUE_SYMBOLS} counts, ` +
        `got ${counts.length}`,
    );
  const cleared: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! >= threshold) cleared.push(i);
  cleared.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const kept = cleared.slice(0, maxCandidates);
  const completed: CatalogueItem[] = [];
  const next: Uint8Array[] = [];
  let invalid = 0;
  for (const at of kept) {
    const prefix = prefixes[Math.floor(at / CATALOGUE_SYMBOLS)]!; // at < prefixes.length x 257
    const symbol = at % CATALOGUE_SYMBOLS;
    if (symbol === CATALOGUE_TERMINATOR) {
      if (prefix.length === 0) continue; // the empty id is no item
      try {
        completed.push({ id: decoder.decode(prefix), count: counts[at]! });
      } catch {
        invalid++;
      }
    } else {
      const extended = new Uint8Array(prefix.length + 1);
      extended.set(prefix);
      extended[prefix.length] = symbol;
      next.push(extended);
    }
  }
  return { completed, next, cleared: cleared.length, invalid };
}

/** The catalogue's items, the largest noisy counts first (ties by id). */
export const sortedItems = (items: readonly CatalogueItem[]): CatalogueItem[] =>
  [...items].sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
