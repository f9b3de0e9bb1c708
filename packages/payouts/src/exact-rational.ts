/** A non-negative finite double as mantissa·2^exponent, both exact (every double is dyadic). */
export interface Dyadic {
  mantissa: bigint;
  exponent: number;
}

/** The exact dyadic form of a non-negative finite double, with an odd mantissa (or 0·2^0 for zero). */
export function toDyadic(x: number): Dyadic {
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`toDyadic needs a non-negative finite number, got ${x}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const biased = (view.getUint16(0) >>> 4) & 0x7ff;
  const fraction = view.getBigUint64(0) & 0xfffffffffffffn;
  let mantissa = biased === 0 ? fraction : fraction | 0x10000000000000n;
  let exponent = biased === 0 ? -1074 : biased - 1075;
  if (mantissa === 0n) return { mantissa, exponent: 0 };
  while ((mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent++;
  }
  return { mantissa, exponent };
}

/**
 * Exact integers proportional to the given doubles: each one's mantissa shifted to the smallest common power of two.
 */
export function commonScale(xs: readonly number[]): bigint[] {
  const parts = xs.map(toDyadic);
  const lowest = Math.min(...parts.filter((p) => p.mantissa > 0n).map((p) => p.exponent));
  return parts.map((p) => (p.mantissa === 0n ? 0n : p.mantissa << BigInt(p.exponent - lowest)));
}
