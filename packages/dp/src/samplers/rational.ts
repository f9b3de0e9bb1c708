/** A non-negative exact rational num/den with den > 0 (not necessarily reduced). */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/**
 * Anything that denotes a rational exactly:
 * - `number`: the double's exact binary value (0.1 means 3602879701896397/2^55, not 1/10);
 * - `bigint`: that integer;
 * - `string`: a decimal ("1.21" means 121/100) or a fraction ("3/7");
 * - `Rational`: itself.
 */
export type RationalLike = number | bigint | string | Rational;

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function reduced(num: bigint, den: bigint): Rational {
  if (den === 0n) throw new RangeError('rational with zero denominator');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** The exact binary value of a finite double as a reduced rational. */
export function rationalFromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  let scaled = x;
  let shift = 0;
  while (!Number.isInteger(scaled)) {
    scaled *= 2; // exact: doubling a finite double below 2^53 never rounds
    shift++;
  }
  return reduced(BigInt(scaled), 1n << BigInt(shift));
}

function rationalFromString(text: string): Rational {
  const s = text.trim();
  const fraction = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(s);
  if (fraction) return reduced(BigInt(fraction[1]!), BigInt(fraction[2]!)); // both groups are mandatory in the pattern
  const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!decimal || (decimal[2] === '' && (decimal[3] ?? '') === ''))
    throw new RangeError(`not a decimal or fraction: "${text}"`);
  const digits = BigInt(`${decimal[1]}${decimal[2]}${decimal[3] ?? ''}`.replace(/^([+-]?)$/, '0'));
  const exponent = Number(decimal[4] ?? '0') - (decimal[3] ?? '').length;
  return exponent >= 0 ? reduced(digits * 10n ** BigInt(exponent), 1n) : reduced(digits, 10n ** BigInt(-exponent));
}

export function toRational(x: RationalLike): Rational {
  if (typeof x === 'number') return rationalFromNumber(x);
  if (typeof x === 'bigint') return { num: x, den: 1n };
  if (typeof x === 'string') return rationalFromString(x);
  return reduced(x.num, x.den);
}

export function nonNegativeRational(x: RationalLike, what: string): Rational {
  const r = toRational(x);
  if (r.num < 0n) throw new RangeError(`${what} must be >= 0, got ${r.num}/${r.den}`);
  return r;
}

export function positiveRational(x: RationalLike, what: string): Rational {
  const r = toRational(x);
  if (r.num <= 0n) throw new RangeError(`${what} must be > 0, got ${r.num}/${r.den}`);
  return r;
}

export function multiplyRationals(a: Rational, b: Rational): Rational {
  return reduced(a.num * b.num, a.den * b.den);
}

/** floor(sqrt(n)) for n >= 0, exactly. */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 0n) throw new RangeError('square root of a negative integer');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n)))); // a guess, corrected exactly below
  while (x * x > n) x = (x + n / x) / 2n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** The pair as doubles when both are integers <= 2^53 - 1, else undefined. */
export function asSafeIntegers(r: Rational): { num: number; den: number } | undefined {
  return r.num <= BigInt(MAX_SAFE) && r.den <= BigInt(MAX_SAFE)
    ? { num: Number(r.num), den: Number(r.den) }
    : undefined;
}
