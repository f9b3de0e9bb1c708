import type { PrimeField } from './prime-field.js';

/** f(x) for f = coefficients[0] + coefficients[1] x + ... (Horner's rule). */
export function evaluatePolynomial(field: PrimeField, coefficients: readonly bigint[], x: bigint): bigint {
  return coefficients.reduceRight((acc, c) => field.add(field.mul(acc, x), c), 0n);
}

/** A polynomial of degree < `terms` with constant term `constant` and the other coefficients uniform. */
export function randomPolynomial(field: PrimeField, constant: bigint, terms: number): bigint[] {
  const coefficients = [field.mod(constant)];
  for (let i = 1; i < terms; i++) coefficients.push(field.random());
  return coefficients;
}

/**
 * f(0) for the unique polynomial f of degree < n through the n points (xs[i], ys[i]) (Lagrange):
 * f(0) = sum_i ys[i] * prod_{j != i} xs[j] / (xs[j] - xs[i]). The xs must be distinct and nonzero.
 */
export function interpolateAtZero(field: PrimeField, xs: readonly bigint[], ys: readonly bigint[]): bigint {
  if (xs.length !== ys.length) throw new RangeError('interpolateAtZero: xs and ys differ in length');
  const weights = lagrangeWeightsAtZero(field, xs);
  let acc = 0n;
  for (let i = 0; i < weights.length; i++) acc += ys[i]! * weights[i]!; // ys.length === xs.length, checked above
  return field.mod(acc);
}

/** Weights computed lately, by field and points: a server recombines many secrets from the same holders' shares. */
const weightCache = new Map<string, readonly bigint[]>();
const WEIGHT_CACHE_ENTRIES = 32;
/** Points below this are multiplied as doubles first: a product below 2^36 times one below 2^16 is exact. */
const SMALL_POINT = 2 ** 16;
const FLUSH_ABOVE = 2 ** 36;

/**
 * The Lagrange weights at zero of the points xs, w_i = prod_{j != i} xs[j] / (xs[j] - xs[i]), so that f(0) =
 * sum_i f(xs[i]) w_i. They depend on the points only (public values), so they are cached. Computed as
 * w_i = P / (xs[i] D_i) with P = prod xs[j] and D_i = prod_{j != i} (xs[j] - xs[i]): the O(n^2) products run on
 * doubles for small points (Shamir's x are 1..65535) and meet BigInt every few factors, and one inversion serves
 * all n denominators (Montgomery's batch inversion). Throws on a zero or repeated point.
 */
export function lagrangeWeightsAtZero(field: PrimeField, xs: readonly bigint[]): readonly bigint[] {
  const key = `${field.p}|${xs.join(',')}`;
  const cached = weightCache.get(key);
  if (cached) return cached;
  const n = xs.length;
  const p = field.p;
  const small = xs.every((x) => x > 0n && x < BigInt(SMALL_POINT));
  const points = xs.map((x) => Number(x));
  const denominators: bigint[] = [];
  for (let i = 0; i < n; i++) {
    let big = field.mod(xs[i]!);
    if (small) {
      let acc = 1;
      let negative = false;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let d = points[j]! - points[i]!; // both below 2^16 (checked above)
        if (d < 0) {
          d = -d;
          negative = !negative;
        }
        acc *= d;
        if (acc >= FLUSH_ABOVE) {
          big = (big * BigInt(acc)) % p;
          acc = 1;
        }
      }
      big = (big * BigInt(acc)) % p;
      if (negative) big = field.mod(-big);
    } else {
      for (let j = 0; j < n; j++) if (j !== i) big = field.mul(big, field.sub(xs[j]!, xs[i]!));
    }
    denominators.push(big);
  }
  // Batch inversion: one field inversion for all denominators.
  const prefix: bigint[] = [];
  let running = 1n;
  for (const d of denominators) {
    running = field.mul(running, d);
    prefix.push(running);
  }
  let inverse = field.inv(running); // throws for a zero denominator: a zero or repeated point
  const product = xs.reduce((acc, x) => field.mul(acc, x), 1n);
  const weights = new Array<bigint>(n);
  for (let i = n - 1; i >= 0; i--) {
    const inverseOfD = i === 0 ? inverse : field.mul(inverse, prefix[i - 1]!);
    inverse = field.mul(inverse, denominators[i]!);
    weights[i] = field.mul(product, inverseOfD);
  }
  if (weightCache.size >= WEIGHT_CACHE_ENTRIES) weightCache.delete(weightCache.keys().next().value!);
  weightCache.set(key, weights);
  return weights;
}
