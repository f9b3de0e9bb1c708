import type { Random } from '@tessera/crypto';
import { dirichletSample } from './dirichlet.js';
import { indicesByLabel, sortedIndices } from './indices.js';

const ATTEMPTS = 50;

/**
 * Label-skewed split: for each label value, the parts' shares of its rows are drawn from Dirichlet(alpha)
 * (small alpha: each part holds mostly one label). Draws are repeated until every part has at least
 * `minRows` rows; after `ATTEMPTS` draws the last one is repaired by moving random rows from the largest
 * part to the smallest. Everything depends only on `rng`, so the split is deterministic given the seed.
 */
export function splitDirichlet(
  rows: Uint32Array,
  labels: Float64Array,
  parts: number,
  alpha: number,
  minRows: number,
  rng: Random,
): Uint32Array[] {
  if (rows.length < parts * minRows) {
    throw new RangeError(
      `cannot give each of ${parts} parts at least ${minRows} rows from ${rows.length} rows; ` +
        'use fewer parts or a lower minRows',
    );
  }
  const groups = indicesByLabel(rows, labels);
  let assignment: number[][] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    assignment = drawAssignment(groups, parts, alpha, rng);
    if (Math.min(...assignment.map((p) => p.length)) >= minRows) break;
  }
  repairSmallParts(assignment, minRows, rng);
  return assignment.map(sortedIndices);
}

function drawAssignment(groups: Uint32Array[], parts: number, alpha: number, rng: Random): number[][] {
  const assignment: number[][] = Array.from({ length: parts }, () => []);
  for (const group of groups) {
    const shuffled = Uint32Array.from(group);
    rng.shuffle(shuffled);
    const shares = dirichletSample(alpha, parts, rng);
    let cumulative = 0;
    let start = 0;
    for (let p = 0; p < parts; p++) {
      // dirichletSample returns `parts` shares, and assignment has `parts` lists.
      cumulative += shares[p]!;
      const end = p === parts - 1 ? shuffled.length : Math.round(cumulative * shuffled.length);
      assignment[p]!.push(...shuffled.subarray(start, Math.max(start, end)));
      start = Math.max(start, end);
    }
  }
  return assignment;
}

function repairSmallParts(assignment: number[][], minRows: number, rng: Random): void {
  for (;;) {
    const sizes = assignment.map((p) => p.length);
    // indexOf finds the minimum and the maximum in sizes, so both positions are in range; the caller checked
    // rows >= parts * minRows, so the largest part has rows to give while the smallest is short.
    const smallest = sizes.indexOf(Math.min(...sizes));
    if (sizes[smallest]! >= minRows) return;
    const donor = assignment[sizes.indexOf(Math.max(...sizes))]!;
    assignment[smallest]!.push(...donor.splice(rng.int(donor.length), 1));
  }
}
