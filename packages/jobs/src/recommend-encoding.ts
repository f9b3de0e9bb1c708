// How a recommend round's vectors enter the ring: exact wide fixed point without DP (this file); the DP release's
// fixed-point level and noise live in recommend-privacy.ts. Shared by coordinator, participants and the analyst.
import { DEFAULT_WIDE, decodeWideSum, encodeWide, WIDE_DIGITS } from '@tessera/fl';

/**
 * Fraction bits of the exact encoding of a recommend round's item update and evaluation sums: 2^-24 resolution,
 * and room (±2^39 per value in the 63-bit digits) for any sum the job spec's limits allow.
 */
export const RECOMMEND_FRACTION_BITS = 24;

/** Ring words per value of the exact encoding. */
export const RECOMMEND_WIDE_DIGITS = WIDE_DIGITS;

/** Encodes one participant's vector exactly (rounded to the nearest 2^-24) for a secure sum in `modulus`. */
export function encodeRecommendExact(values: ArrayLike<number>, modulus = 2 ** 32): Uint32Array {
  return encodeWide(values, { ...DEFAULT_WIDE, fractionBits: RECOMMEND_FRACTION_BITS, modulus });
}

/** The sum of `contributors` exact encodings, back in real units. */
export function decodeRecommendExact(sum: Uint32Array, contributors: number, modulus = 2 ** 32): Float64Array {
  return decodeWideSum(sum, contributors, { ...DEFAULT_WIDE, fractionBits: RECOMMEND_FRACTION_BITS, modulus });
}

/**
 * The evaluation vector of one participant (leave-last-out with full ranking): customers evaluated, hits in the top
 * 10, the NDCG sum, then one count per catalogue item of the top-10 lists it appears in (coverage).
 */
export const RECOMMEND_EVALUATION_HEAD = 3;
export const recommendEvaluationLength = (items: number): number => RECOMMEND_EVALUATION_HEAD + items;

/** The evaluation sums as the job reports them: [customers, hits, NDCG sum, covered items]. */
export type EvaluationCounts = [customers: number, hits: number, ndcg: number, covered: number];

/**
 * The four counts of a decoded evaluation vector: an item is covered when its count of top-10 lists clears `threshold`
 * (half a list for exact sums; more under DP noise).
 */
export function evaluationCounts(values: ArrayLike<number>, items: number, threshold = 0.5): EvaluationCounts {
  if (values.length !== recommendEvaluationLength(items))
    throw new Error(`the evaluation sum has ${values.length} values, expected ${recommendEvaluationLength(items)}`);
  let covered = 0;
  for (let i = RECOMMEND_EVALUATION_HEAD; i < values.length; i++) if (values[i]! >= threshold) covered++;
  return [values[0]!, values[1]!, values[2]!, covered];
}
