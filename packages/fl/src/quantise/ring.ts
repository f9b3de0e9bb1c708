/** The modular ring of secure aggregation: integers mod `modulus` (default 2^32), centred decoding. */
export const DEFAULT_MODULUS = 2 ** 32;

export function checkModulus(modulus: number): void {
  if (!Number.isInteger(modulus) || modulus < 2 || modulus > 2 ** 32)
    throw new RangeError(`modulus must be an integer in [2, 2^32], got ${modulus}`);
}

/** Maps a signed integer |v| < modulus/2 into [0, modulus). */
export function toRing(v: number, modulus: number): number {
  const r = v % modulus;
  return r < 0 ? r + modulus : r;
}

/** The centred representative of a ring element: values >= modulus/2 are negative. */
export function fromRing(r: number, modulus: number): number {
  return r >= modulus / 2 ? r - modulus : r;
}
