/** A closed rational interval [lo, hi] with bigint fractions (denominators > 0). */
export interface RationalInterval {
  readonly loNum: bigint;
  readonly loDen: bigint;
  readonly hiNum: bigint;
  readonly hiDen: bigint;
}

/**
 * Rational bounds on e^c for a rational c = num/den >= 0, exactly, from the Taylor series with `terms` terms:
 * lo = S_N = sum_{n=0}^{N} c^n/n!, hi = S_N + c^{N+1}/(N+1)! · (N+2)/(N+2 - c) (the tail is dominated by a geometric
 * series of ratio c/(N+2) < 1). N is raised to 2c + 2 if smaller, so the bound is always valid; hi - lo -> 0 as N
 * grows.
 * For c = 0 the interval is exactly [1, 1].
 */
export function expBounds(num: bigint, den: bigint, terms: number): RationalInterval {
  if (num < 0n || den <= 0n) throw new RangeError('expBounds needs c = num/den >= 0');
  if (num === 0n) return { loNum: 1n, loDen: 1n, hiNum: 1n, hiDen: 1n };
  const minimum = Number((2n * num) / den) + 2;
  const n = Math.max(terms, minimum);
  // S_k = A_k / D_k with D_k = den^k k!, A_k = A_{k-1}·den·k + num^k
  let a = 1n,
    d = 1n,
    power = 1n;
  for (let k = 1; k <= n; k++) {
    const kb = BigInt(k);
    power *= num;
    a = a * den * kb + power;
    d = d * den * kb;
  }
  // tail: num^{N+1} / (den^{N+1} (N+1)!) · (N+2)·den / ((N+2)·den - num)
  const n1 = BigInt(n + 1),
    n2 = BigInt(n + 2);
  const tailNum = power * num * n2 * den;
  const dNext = d * den * n1;
  const gap = n2 * den - num; // > 0 since N + 2 > 2c
  return { loNum: a, loDen: d, hiNum: a * n1 * den * gap + tailNum, hiDen: dNext * gap };
}
