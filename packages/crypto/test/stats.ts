/** Pearson's chi-square statistic of observed counts against a uniform distribution. */
export function chiSquareUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const expected = total / counts.length;
  let chi2 = 0;
  for (let i = 0; i < counts.length; i++) chi2 += (counts[i] - expected) ** 2 / expected;
  return chi2;
}

/**
 * Upper critical value of chi-square with `df` degrees of freedom at `z` standard deviations
 * (Wilson-Hilferty approximation; z = 4.75 is a one-sided tail of about 1e-6).
 */
export function chiSquareCritical(df: number, z = 4.75): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
