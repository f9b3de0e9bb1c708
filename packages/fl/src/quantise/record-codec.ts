import type { Random } from '@tessera/ml';
import { checkModulus, fromRing, toRing } from './ring.js';
import { stochasticRound } from './stochastic-round.js';

/**
 * Record-level encoding for DP-FedSGD: every record's gradient is clipped to L2 norm `clip`,
 * scaled so that `clip` maps to `level`, rounded stochastically (with that record's own secret
 * draws), and summed with a count coordinate worth `level` per record, as exact integers. The
 * sensitivity of the sum, with the fixed-size record selection and the rounding overshoot, is
 * `releaseSensitivity({ kind: 'record-fit', ... })` (privacy/release-sensitivity.ts):
 * 2(level + sqrt(d)); the count coordinate at full weight costs nothing there.
 */
export interface RecordCodec {
  clip: number;
  /** Integer that one record's clipped gradient of norm `clip` (and its count) maps to. */
  level: number;
  modulus: number;
}

/**
 * Adds one record's gradient (clipped, scaled, rounded with `rng`) and its count to an integer accumulator of length g
 * + 1.
 */
export function addClippedRecord(
  accumulator: Float64Array,
  gradient: Float64Array,
  c: RecordCodec,
  rng: Random,
): boolean {
  if (accumulator.length !== gradient.length + 1) {
    const sizes = `${gradient.length + 1} accumulator entries, got ${accumulator.length}`;
    throw new RangeError(`a gradient of ${gradient.length} values needs ${sizes}`);
  }
  let s = 0;
  for (let i = 0; i < gradient.length; i++) s += gradient[i]! * gradient[i]!;
  const norm = Math.sqrt(s);
  const factor = (c.level / c.clip) * (norm > c.clip ? c.clip / norm : 1);
  // accumulator.length = gradient.length + 1, checked above.
  for (let i = 0; i < gradient.length; i++) accumulator[i]! += stochasticRound(gradient[i]! * factor, rng);
  accumulator[gradient.length]! += c.level;
  return norm > c.clip;
}

/** Moves an exact integer accumulator into the ring (every entry must be an integer below 2^53 in magnitude). */
export function recordSumToRing(accumulator: Float64Array, modulus: number): Uint32Array {
  checkModulus(modulus);
  const words = new Uint32Array(accumulator.length);
  for (let i = 0; i < accumulator.length; i++) {
    const v = accumulator[i]!; // i < accumulator.length
    if (!Number.isSafeInteger(v)) throw new RangeError(`record sum coordinate ${i} is not a safe integer: ${v}`);
    words[i] = toRing(v, modulus);
  }
  return words;
}

/** Decodes a ring sum of record encodings into the sum of clipped gradients and the (noisy) record count. */
export function decodeRecordSum(sum: Uint32Array, c: RecordCodec): { gradientSum: Float64Array; count: number } {
  const g = sum.length - 1;
  if (g < 0) throw new RangeError('a record sum holds at least its count coordinate; got an empty vector');
  const gradientSum = new Float64Array(g);
  const unscale = c.clip / c.level;
  for (let i = 0; i < g; i++) gradientSum[i] = fromRing(sum[i]!, c.modulus) * unscale; // i < g < sum.length
  return { gradientSum, count: fromRing(sum[g]!, c.modulus) / c.level };
}

/**
 * The largest level for which `records` records plus noise of standard deviation
 * sigmaPerLevel·level + sigmaFixed (12 standard deviations of margin) cannot wrap the centred ring.
 */
export function largestRecordLevel(
  records: number,
  modulus: number,
  noise: { perLevel: number; fixed: number },
): number {
  const room = modulus / 2 - 1 - 12 * noise.fixed;
  return Math.floor(room / (records + 12 * noise.perLevel));
}
