/**
 * The BFV setting of SecureBoost: n = 8192 (SEAL's default 218-bit coefficient modulus, 128-bit security)
 * and a 60-bit batching prime p. One slot carries one data row, its fixed-point gradient and hessian packed
 * as g + h * 2^30 (sums of up to 2^29 units each stay apart and below p / 2), so a ciphertext holds n rows.
 * SEAL's slots form a 2 x (n/2) matrix whose rows rotate independently; each half is a block of n/2 rows.
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
  /** Batching prime p of 60 bits, as a decimal string (it is not a safe integer). */
  readonly plainModulus: string;
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
  const m = s.PlainModulus.Batching(polyModulusDegree, 60);
  try {
    return Object.freeze({ polyModulusDegree, plainModulus: m.value.toString(), classes, binSlots });
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

/** Bits between the packed gradient and hessian of a slot. */
export const PACK_BITS = 30n;

/** `count` uniform values mod p (p < 2^60) from node:crypto, by rejection sampling (no modulo bias). */
export function randomModP(count: number, p: bigint): BigUint64Array {
  const out = new BigUint64Array(count);
  const bits = BigInt(p.toString(2).length);
  const mask = (1n << bits) - 1n;
  let filled = 0;
  while (filled < count) {
    const words = new BigUint64Array(randomBytes(8 * (count - filled + 16)).buffer);
    for (const w of words) {
      if (filled === count) break;
      const v = w & mask;
      if (v < p) out[filled++] = v;
    }
  }
  return out;
}

/** The slot word of a row: g + h * 2^30 mod p, for integer fixed-point g (signed) and h. */
export function packSlot(g: number, h: number, p: bigint): bigint {
  const v = BigInt(g) + (BigInt(h) << PACK_BITS);
  return ((v % p) + p) % p;
}

/** Splits a class sum mod p back into its integer gradient and hessian sums (each below 2^29 in size). */
export function unpackSum(word: bigint, p: bigint): { g: number; h: number } {
  const t = word > (p - 1n) / 2n ? word - p : word;
  const half = 1n << (PACK_BITS - 1n);
  const h = (t + half) >> PACK_BITS;
  return { g: Number(t - (h << PACK_BITS)), h: Number(h) };
}
