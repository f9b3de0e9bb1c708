/** Numerically careful log-space helpers and the complementary error function (float64). */

/** log(exp(a) + exp(b)) without overflow. */
export function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  if (hi === Infinity) return Infinity;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

/** log(exp(a) - exp(b)) for a >= b. Throws if a < b. */
export function logSub(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a < b) throw new RangeError(`logSub: the result would be negative (log terms ${a} < ${b})`);
  if (a === b) return -Infinity;
  return Math.log(-Math.expm1(b - a)) + a;
}

/** log(sum(exp(xs))) */
export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for |x| <= ~2 via the all-positive series
 * erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)), which has no cancellation.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * log of the continued-fraction factor f(x) with erfc(x) = exp(-x^2) / (sqrt(pi) f(x)), x > 0:
 * f(x) = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))) evaluated by the modified Lentz method.
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

const SERIES_CUTOFF = 0.75;

/** exp(-x^2) with x^2 split so that the rounding of x*x does not cost ~x^2 ulps (Cody's trick). */
function expMinusXSquared(x: number): number {
  const xh = Math.trunc(x * 16) / 16; // few significant bits: xh*xh is exact
  const del = (x - xh) * (x + xh);
  return Math.exp(-xh * xh) * Math.exp(-del);
}

/** Complementary error function erfc(x), accurate to a few ulps in relative terms for x >= 0. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < SERIES_CUTOFF) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return expMinusXSquared(x) / (Math.sqrt(Math.PI) * erfcContinuedFraction(x));
}

/** log(erfc(x)) without underflow for large x. */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x < SERIES_CUTOFF) return Math.log(erfc(x));
  const xh = Math.trunc(x * 16) / 16;
  return -xh * xh - (x - xh) * (x + xh) - LOG_SQRT_PI - Math.log(erfcContinuedFraction(x));
}

/** Standard normal CDF Phi(t). */
export function normalCdf(t: number): number {
  return 0.5 * erfc(-t / Math.SQRT2);
}

/** log Phi(t), accurate in the far lower tail. */
export function logNormalCdf(t: number): number {
  return Math.log(0.5) + logErfc(-t / Math.SQRT2);
}
