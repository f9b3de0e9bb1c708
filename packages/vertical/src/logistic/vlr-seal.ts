/**
 * The BFV context of vertical logistic regression: n = 8192 (SEAL's default 218-bit coefficient modulus, 128-bit
 * security) and a 50-bit batching prime p, so that a fixed-point gradient sum over a whole mini-batch fits below p/2
 * and one plaintext multiplication leaves ample noise budget (about 50 bits measured). @tessera/he's BFV wrappers fix
 * p below 2^32 (sealed aggregation words) and have no plaintext multiplication, so this file opens its own context
 * with node-seal directly. Words mod p are JavaScript numbers: p < 2^51, so a sum of two stays exact.
 */
import { loadSeal, scope, type SealLibrary } from '@tessera/he';

/** A SEAL context object (typed through the library, as this package does not depend on node-seal itself). */
export type VlrContext = ReturnType<SealLibrary['Context']>;

export const VLR_DEGREE = 8192;
export const VLR_PLAIN_BITS = 50;

let library: SealLibrary | undefined;
const primes = new Map<string, number>();

/** Loads node-seal for this package (idempotent); every VLR role needs it first. */
export async function loadVlrSeal(): Promise<void> {
  library = await loadSeal();
}

export function vlrSeal(): SealLibrary {
  if (!library) throw new Error('node-seal is not loaded: call `await loadVlrSeal()` before vertical LR');
  return library;
}

/** Public parameters of the guest's key: ring dimension and plaintext modulus. */
export interface VlrHeParameters {
  readonly polyModulusDegree: number;
  readonly plainModulus: number;
}

/** The largest 50-bit prime p = 1 mod 2n (SEAL's batching prime), memoised. */
export function vlrParameters(): VlrHeParameters {
  const key = `${VLR_DEGREE}/${VLR_PLAIN_BITS}`;
  let p = primes.get(key);
  if (p === undefined) {
    const m = vlrSeal().PlainModulus.Batching(VLR_DEGREE, VLR_PLAIN_BITS);
    try {
      p = Number(m.value);
    } finally {
      m.delete();
    }
    primes.set(key, p);
  }
  return { polyModulusDegree: VLR_DEGREE, plainModulus: p };
}

/** Refuses parameters other than the ones this protocol is designed for, naming the field. */
export function checkVlrParameters(params: VlrHeParameters): void {
  const expected = vlrParameters();
  if (params.polyModulusDegree !== expected.polyModulusDegree)
    throw new Error(`polyModulusDegree must be ${expected.polyModulusDegree}, got ${params.polyModulusDegree}`);
  if (params.plainModulus !== expected.plainModulus)
    throw new Error(`plainModulus must be the batching prime ${expected.plainModulus}, got ${params.plainModulus}`);
}

/** Opens a SEAL BFV context for `params`; the caller frees it. */
export function openVlrContext(params: VlrHeParameters): VlrContext {
  checkVlrParameters(params);
  const s = vlrSeal();
  return scope((keep) => {
    const parms = keep(s.EncryptionParameters(s.SchemeType.bfv));
    parms.setPolyModulusDegree(params.polyModulusDegree);
    parms.setCoeffModulus(keep(s.CoeffModulus.BFVDefault(params.polyModulusDegree, s.SecurityLevel.tc128)));
    parms.setPlainModulus(keep(s.Modulus(BigInt(params.plainModulus))));
    const context = s.Context(parms, false, s.SecurityLevel.tc128); // no modulus switching: no chain to expand
    if (!context.parametersSet()) {
      context.delete();
      throw new Error('SEAL refused the vertical LR BFV parameters');
    }
    return context;
  });
}
