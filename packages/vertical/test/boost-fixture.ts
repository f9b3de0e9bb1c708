// Breast cancer split by columns for the SecureBoost tests: guest = features 0..9 and the label, host = features
// 10..29, on an 80% overlap of the rows (seeded), split 80/20 into training and test rows. Column-major, raw values.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@tessera/ml';
import type { BoostSplit, FeatureSplit, HostBoostModel, Tree } from '@tessera/vertical';
import { expect } from 'vitest';

const CSV = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

export interface BoostSplitData {
  readonly guestTrain: Float64Array[];
  readonly hostTrain: Float64Array[];
  readonly yTrain: Float64Array;
  readonly guestTest: Float64Array[];
  readonly hostTest: Float64Array[];
  readonly yTest: Float64Array;
}

export function breastCancerBoost(seed = 'secureboost'): BoostSplitData {
  const lines = readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim());
  const label = header.indexOf('benign');
  const rows = lines.slice(1).map((l) => l.split(',').map(Number));
  const order = Uint32Array.from({ length: rows.length }, (_, i) => i);
  seededRandom(seed).shuffle(order);
  const overlap = order.subarray(0, Math.round(0.8 * rows.length));
  const train = overlap.subarray(0, Math.round(0.8 * overlap.length));
  const test = overlap.subarray(train.length);
  const cols = (ids: Uint32Array, from: number, to: number) =>
    Array.from({ length: to - from }, (_, j) => Float64Array.from(ids, (r) => rows[r]![from + j]!));
  return {
    guestTrain: cols(train, 0, 10),
    hostTrain: cols(train, 10, 30),
    yTrain: Float64Array.from(train, (r) => rows[r]![label]!),
    guestTest: cols(test, 0, 10),
    hostTest: cols(test, 10, 30),
    yTest: Float64Array.from(test, (r) => rows[r]![label]!),
  };
}

/** The SecureBoost tree with host splits resolved through the host's model, in the joined feature order. */
export function resolved(tree: Tree<BoostSplit>, host: HostBoostModel, guestFeatures: number): Tree<FeatureSplit> {
  if ('leaf' in tree) return tree;
  const s = tree.split;
  let split: FeatureSplit;
  if (s.party === 'guest') split = { feature: s.feature, value: s.value };
  else {
    const kept = host.splits.get(s.split)!;
    split = { feature: guestFeatures + kept.feature, value: kept.value };
  }
  return { split, left: resolved(tree.left, host, guestFeatures), right: resolved(tree.right, host, guestFeatures) };
}

/** Same splits and leaf weights (to 1e-9). */
export function expectSameTree(a: Tree<FeatureSplit>, b: Tree<FeatureSplit>): void {
  if ('leaf' in a || 'leaf' in b) {
    expect('leaf' in a && 'leaf' in b).toBe(true);
    if ('leaf' in a && 'leaf' in b) expect(a.leaf).toBeCloseTo(b.leaf, 9);
    return;
  }
  expect(a.split).toEqual(b.split);
  expectSameTree(a.left, b.left);
  expectSameTree(a.right, b.right);
}
