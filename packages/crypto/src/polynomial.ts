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
  let acc = 0n;
  for (const [i, xi] of xs.entries()) {
    let num = 1n,
      den = 1n;
    for (const [j, xj] of xs.entries()) {
      if (j === i) continue;
      num = field.mul(num, xj);
      den = field.mul(den, field.sub(xj, xi));
    }
    acc = field.add(acc, field.mul(ys[i]!, field.mul(num, field.inv(den)))); // ys.length === xs.length, checked above
  }
  return acc;
}
