// A catalogue job's votes at this node: each customer's chosen items, and one round's counts over the named prefixes.
import { CATALOGUE_SYMBOLS, CATALOGUE_TERMINATOR } from '@tessera/jobs';
import type { Random } from '@tessera/recommend';

/**
 * Each customer's items as UTF-8 bytes: its distinct items, or a uniformly random subset of `max` of them (drawn
 * from `rng`, a CSPRNG: which items a customer counts for must not be predictable) when it has more.
 */
export function chooseItems(
  itemsByCustomer: ReadonlyMap<string, ReadonlySet<string>>,
  max: number,
  rng: Random,
): Uint8Array[][] {
  const encoder = new TextEncoder();
  const chosen: Uint8Array[][] = [];
  for (const items of itemsByCustomer.values()) {
    const list = [...items];
    if (list.length > max) {
      // A partial Fisher-Yates shuffle: the first `max` are a uniform subset.
      for (let i = 0; i < max; i++) {
        const j = i + rng.int(list.length - i);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      list.length = max;
    }
    chosen.push(list.map((id) => encoder.encode(id)));
  }
  return chosen;
}

/** A byte string as a map key (latin1 maps each byte to one character: one key per byte string). */
export const prefixKey = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/**
 * One round's counts: for prefix p (every prefix `round - 1` bytes long) and symbol s (the next byte, or the
 * terminator when the item ends there), entry p x 257 + s counts the customers with a chosen item that extends p by
 * s. A customer counts once per entry however many of its items pass through it, so its votes are 0 or 1 on at most
 * as many entries as it has chosen items: L2 norm at most sqrt(maxItemsPerCustomer).
 */
export function catalogueVotes(chosen: readonly Uint8Array[][], prefixes: readonly Uint8Array[], round: number) {
  const depth = round - 1;
  const index = new Map<string, number>();
  prefixes.forEach((p, i) => {
    if (p.length !== depth)
      throw new RangeError(`round ${round} names prefixes of ${depth} bytes; one has ${p.length}`);
    index.set(prefixKey(p), i);
  });
  const counts = new Uint32Array(prefixes.length * CATALOGUE_SYMBOLS);
  const voted = new Set<number>();
  for (const items of chosen) {
    voted.clear();
    for (const item of items) {
      if (item.length < depth) continue;
      const at = index.get(prefixKey(item.subarray(0, depth)));
      if (at === undefined) continue;
      const symbol = item.length === depth ? CATALOGUE_TERMINATOR : item[depth]!; // depth < item.length
      voted.add(at * CATALOGUE_SYMBOLS + symbol);
    }
    for (const entry of voted) counts[entry]! += 1;
  }
  return counts;
}
