/**
 * The BFV setting of SecureBoost: n = 8192 (SEAL's default 218-bit coefficient modulus, 128-bit security),
 * a 31-bit batching prime p, and the helpers both roles share. Slots form SEAL's 2 x (n/2) matrix: row 0
 * carries gradients and row 1 hessians of the same n/2 rows, so one rotation moves both.
 */
import { randomBytes } from 'node:crypto';
import { loadSeal, scope, type SealLibrary } from '@tessera/he';

export type Seal = SealLibrary;
export type SealContext = ReturnType<Seal['Context']>;
export type SealCipher = ReturnType<Seal['CipherText']>;
export type SealPlain = ReturnType<Seal['PlainText']>;

export interface BoostHeParams {
  /** Ring dimension; rows per ciphertext = polyModulusDegree / 2. */
  readonly polyModulusDegree: number;
  /** Batching prime p below 2^31. */
  readonly plainModulus: number;
  /** Output classes per histogram ciphertext (a power of two dividing n/2): features x slots per feature. */
  readonly classes: number;
  /** Slots per feature (a power of two at least the bin count). */
  readonly binSlots: number;
}

/** Loads node-seal and picks the parameters for `bins` bins per feature and `classes` outputs per ciphertext. */
export async function boostHeParams(bins: number, classes = 128, polyModulusDegree = 8192): Promise<BoostHeParams> {
  const s = await loadSeal();
  const binSlots = 2 ** Math.ceil(Math.log2(bins));
  if (classes < binSlots || (classes & (classes - 1)) !== 0 || classes > polyModulusDegree / 2)
    throw new Error(`classes must be a power of two from ${binSlots} to ${polyModulusDegree / 2}, got ${classes}`);
  const m = s.PlainModulus.Batching(polyModulusDegree, 31);
  try {
    return Object.freeze({ polyModulusDegree, plainModulus: Number(m.value), classes, binSlots });
  } finally {
    m.delete();
  }
}

/** Opens the SEAL context of `params` (the caller frees it). Needs `await loadSeal()` first. */
export function openBoostContext(s: Seal, params: BoostHeParams): SealContext {
  return scope((keep) => {
    const parms = keep(s.EncryptionParameters(s.SchemeType.bfv));
    parms.setPolyModulusDegree(params.polyModulusDegree);
    parms.setCoeffModulus(keep(s.CoeffModulus.BFVDefault(params.polyModulusDegree, s.SecurityLevel.tc128)));
    parms.setPlainModulus(keep(s.Modulus(BigInt(params.plainModulus))));
    const ctx = s.Context(parms, true, s.SecurityLevel.tc128);
    if (!ctx.parametersSet()) {
      ctx.delete();
      throw new Error(`SEAL refused the SecureBoost BFV parameters ${JSON.stringify(params)}`);
    }
    return ctx;
  });
}

/** `count` uniform values mod p from node:crypto (rejection sampling, no modulo bias). */
export function randomModP(count: number, p: number): Uint32Array {
  const out = new Uint32Array(count);
  const limit = Math.floor(2 ** 32 / p) * p;
  let filled = 0;
  while (filled < count) {
    const words = new Uint32Array(randomBytes(4 * (count - filled + 16)).buffer);
    for (const w of words) {
      if (filled === count) break;
      if (w < limit) out[filled++] = w % p;
    }
  }
  return out;
}

/** round(x * 2^bits) mod p. */
export function encodeFixed(x: number, bits: number, p: number): number {
  const v = Math.round(x * 2 ** bits);
  return ((v % p) + p) % p;
}

/** The centred integer of a word mod p (words above (p - 1) / 2 are negative). */
export function centred(w: number, p: number): number {
  return w > (p - 1) / 2 ? w - p : w;
}
