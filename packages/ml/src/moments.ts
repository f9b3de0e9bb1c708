import { checkMatrix, type Matrix } from './matrix.js';

/** Per-feature sums, enough to standardise features and cheap to add up across participants. */
export interface FeatureMoments {
  count: number;
  sum: Float64Array;
  sumSquares: Float64Array;
}

/** Throws unless the moments hold one sum and one sum of squares per feature. */
export function checkMoments(m: FeatureMoments): void {
  if (m.sumSquares.length !== m.sum.length) {
    throw new RangeError(`moments have ${m.sum.length} sums but ${m.sumSquares.length} sums of squares`);
  }
}

export function momentsOf(data: Matrix): FeatureMoments {
  checkMatrix(data);
  const { x, n, d } = data;
  const sum = new Float64Array(d);
  const sumSquares = new Float64Array(d);
  // checkMatrix: x holds n * d values, and sum and sumSquares d each.
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) {
      const v = x[base + j]!;
      sum[j]! += v;
      sumSquares[j]! += v * v;
    }
  }
  return { count: n, sum, sumSquares };
}

export function addMoments(a: FeatureMoments, b: FeatureMoments): FeatureMoments {
  checkMoments(a);
  checkMoments(b);
  if (a.sum.length !== b.sum.length)
    throw new RangeError(`cannot add moments of ${a.sum.length} and ${b.sum.length} features`);
  const sum = a.sum.slice();
  const sumSquares = a.sumSquares.slice();
  for (let j = 0; j < sum.length; j++) {
    sum[j]! += b.sum[j]!; // all four vectors have the same length, checked above
    sumSquares[j]! += b.sumSquares[j]!;
  }
  return { count: a.count + b.count, sum, sumSquares };
}
