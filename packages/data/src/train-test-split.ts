import type { Random } from '@tessera/crypto';
import { indicesByLabel, sortedIndices } from './indices.js';

/**
 * Splits row indices 0..n-1 into train and test sets (each sorted ascending). With `labels`, each label value
 * is split separately, so both sets keep the label shares (stratified).
 */
export function trainTestSplit(
  n: number,
  testFraction: number,
  rng: Random,
  labels?: Float64Array,
): { train: Uint32Array; test: Uint32Array } {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`trainTestSplit: n must be a non-negative integer, got ${n}`);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`trainTestSplit: testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (labels && labels.length !== n) {
    throw new RangeError(`trainTestSplit: ${labels.length} labels for ${n} rows; give one label per row`);
  }
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const groups = labels ? indicesByLabel(all, labels) : [all];
  const train: number[] = [];
  const test: number[] = [];
  for (const group of groups) {
    const shuffled = Uint32Array.from(group);
    rng.shuffle(shuffled);
    const testCount = Math.round(shuffled.length * testFraction);
    // one push per index: spreading a group of several hundred thousand rows overflows the call stack
    for (const i of shuffled.subarray(0, testCount)) test.push(i);
    for (const i of shuffled.subarray(testCount)) train.push(i);
  }
  if (n > 0 && (test.length === 0 || train.length === 0)) {
    throw new RangeError(
      `trainTestSplit: a test fraction of ${testFraction} of ${n} rows leaves ` +
        `the ${test.length === 0 ? 'test' : 'training'} set empty`,
    );
  }
  return { train: sortedIndices(train), test: sortedIndices(test) };
}
