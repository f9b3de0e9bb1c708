import type { Random } from '@tessera/crypto';
import { sortedIndices } from './indices.js';

/** Shuffles the rows and deals them into `parts` near-equal parts (sizes differ by at most one). */
export function splitIid(rows: Uint32Array, parts: number, rng: Random): Uint32Array[] {
  if (rows.length < parts) {
    throw new RangeError(`cannot split ${rows.length} rows into ${parts} non-empty parts; use fewer parts`);
  }
  const shuffled = Uint32Array.from(rows);
  rng.shuffle(shuffled);
  const base = Math.floor(rows.length / parts);
  const extra = rows.length % parts;
  const result: Uint32Array[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const size = base + (p < extra ? 1 : 0);
    result.push(sortedIndices(shuffled.subarray(start, start + size)));
    start += size;
  }
  return result;
}
