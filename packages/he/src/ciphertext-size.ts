import type { BfvParameters } from './bfv-parameters.js';
import type { CkksParameters } from './ckks-parameters.js';
import { ENVELOPE_OVERHEAD } from './envelope.js';

/** SEAL's header and a ciphertext's own fields (parms id, flags, sizes, scale), with room to spare. */
const SEAL_FIELDS = 256;

/**
 * The most bytes one serialized two-component ciphertext under `params` (BFV or CKKS) can take: two polynomials
 * of n coefficients modulo the primes of the first data level (all but the special prime, which SEAL drops there
 * when there is more than one), 8 bytes a coefficient, as if zstd gained nothing (its worst case adds at most 1/256
 * and a few bytes), plus SEAL's fields and this package's envelope. Ciphertexts at a lower level are smaller; a
 * BFV ciphertext at another level, or of another size, is refused on load anyway. A receiver can refuse anything
 * longer before parsing it, so a peer cannot make it buffer more than a real ciphertext would take.
 */
export function ciphertextMaxBytes(
  params: Pick<BfvParameters | CkksParameters, 'polyModulusDegree' | 'coeffModulusBits'>,
): number {
  const dataPrimes = Math.max(1, params.coeffModulusBits.length - 1);
  const raw = 2 * params.polyModulusDegree * dataPrimes * 8 + SEAL_FIELDS;
  return raw + Math.ceil(raw / 256) + 64 + ENVELOPE_OVERHEAD;
}
