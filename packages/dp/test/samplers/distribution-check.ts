// Test-only statistics (floating point is fine here): exact PMFs evaluated in double precision and a chi-square test.
import { expect } from 'vitest';

function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x). */
function upperGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let sum = 1 / a,
      term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - front * sum;
  }
  let b = x + 1 - a,
    c = 1e300,
    d = 1 / b,
    h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return front * h;
}

export function chiSquarePValue(statistic: number, degreesOfFreedom: number): number {
  return upperGamma(degreesOfFreedom / 2, statistic / 2);
}

export interface Pmf {
  /** Smallest value with non-negligible mass. */
  lo: number;
  /** Probabilities of lo, lo + 1, ..., normalised to sum to 1. */
  p: Float64Array;
}

export function pmfFrom(weight: (x: number) => number, lo: number, hi: number): Pmf {
  const p = new Float64Array(hi - lo + 1);
  let total = 0;
  for (let x = lo; x <= hi; x++) total += p[x - lo] = weight(x);
  for (let i = 0; i < p.length; i++) p[i] /= total;
  return { lo, p };
}

export function logPoisson(lambda: number, k: number): number {
  return lambda === 0 ? (k === 0 ? 0 : -Infinity) : -lambda + k * Math.log(lambda) - logGamma(k + 1);
}

export function discreteGaussianPmf(sigma2: number): Pmf {
  const r = Math.ceil(12 * Math.sqrt(sigma2) + 10);
  return pmfFrom((x) => Math.exp(-(x * x) / (2 * sigma2)), -r, r);
}

export function discreteLaplacePmf(t: number): Pmf {
  const r = Math.ceil(40 * t + 10);
  return pmfFrom((x) => Math.exp(-Math.abs(x) / t), -r, r);
}

export function poissonPmf(lambda: number): Pmf {
  const hi = Math.ceil(lambda + 15 * Math.sqrt(lambda) + 30);
  return pmfFrom((k) => Math.exp(logPoisson(lambda, k)), 0, hi);
}

export function skellamPmf(mu: number): Pmf {
  const half = poissonPmf(mu / 2);
  const n = half.p.length;
  return pmfFrom(
    (x) => {
      let s = 0;
      for (let k = Math.max(0, -x); k < n && k + x < n; k++) s += half.p[k + x] * half.p[k];
      return s;
    },
    -(n - 1),
    n - 1,
  );
}

export interface CheckResult {
  pValue: number;
  bins: number;
  mean: number;
  variance: number;
}

/**
 * Chi-square goodness of fit over bins merged greedily from the left until each expects >= 5 samples (so the tails
 * are pooled), plus mean, variance and tail frequencies P(|X - centre| >= k·sd), k = 1, 2, 3, against the PMF.
 */
export function expectDistribution(
  samples: Float64Array,
  pmf: Pmf,
  options: { alpha?: number; centre?: number } = {},
): CheckResult {
  const n = samples.length;
  const { lo, p } = pmf;
  const counts = new Float64Array(p.length);
  let allIntegers = true;
  for (const x of samples) {
    if (!Number.isInteger(x)) allIntegers = false;
    const i = Math.min(p.length - 1, Math.max(0, x - lo));
    counts[i]++;
  }
  expect(allIntegers, 'every sample is an integer').toBe(true);
  const observedBins: number[] = [];
  const expectedBins: number[] = [];
  let o = 0,
    e = 0;
  for (let i = 0; i < p.length; i++) {
    o += counts[i];
    e += p[i] * n;
    if (e >= 5) {
      observedBins.push(o);
      expectedBins.push(e);
      o = 0;
      e = 0;
    }
  }
  if (expectedBins.length === 0) throw new Error('too few samples for a chi-square test');
  observedBins[observedBins.length - 1] += o;
  expectedBins[expectedBins.length - 1] += e;
  let statistic = 0;
  for (let i = 0; i < expectedBins.length; i++) statistic += (observedBins[i] - expectedBins[i]) ** 2 / expectedBins[i];
  const bins = expectedBins.length;
  const pValue = bins > 1 ? chiSquarePValue(statistic, bins - 1) : 1;
  expect(pValue, `chi-square ${statistic.toFixed(1)} on ${bins - 1} dof`).toBeGreaterThan(options.alpha ?? 1e-4);

  let mean = 0,
    m2 = 0,
    m4 = 0;
  for (let i = 0; i < p.length; i++) mean += p[i] * (lo + i);
  for (let i = 0; i < p.length; i++) {
    const d = lo + i - mean;
    m2 += p[i] * d * d;
    m4 += p[i] * d ** 4;
  }
  let sampleMean = 0;
  for (const x of samples) sampleMean += x;
  sampleMean /= n;
  let sampleVariance = 0;
  for (const x of samples) sampleVariance += (x - sampleMean) ** 2;
  sampleVariance /= n - 1;
  expect(Math.abs(sampleMean - mean)).toBeLessThan(5 * Math.sqrt(m2 / n) + 1e-12);
  expect(Math.abs(sampleVariance - m2)).toBeLessThan(5 * Math.sqrt(Math.max(m4 - m2 * m2, 0) / n) + 1e-12);

  const centre = options.centre ?? Math.round(mean);
  const sd = Math.sqrt(m2);
  for (const k of [1, 2, 3]) {
    let exact = 0,
      seen = 0;
    for (let i = 0; i < p.length; i++) if (Math.abs(lo + i - centre) >= k * sd) exact += p[i];
    for (const x of samples) if (Math.abs(x - centre) >= k * sd) seen++;
    const tolerance = 5 * Math.sqrt((exact * (1 - exact)) / n) + 3 / n;
    expect(Math.abs(seen / n - exact), `tail P(|X - ${centre}| >= ${k}·sd)`).toBeLessThan(tolerance);
  }
  return { pValue, bins, mean: sampleMean, variance: sampleVariance };
}
