/**
 * Building a SEAL context from this package's plain-data parameter objects, and the facts about it the
 * role classes need. The context owns nothing the caller must free besides itself (`OpenedContext.context`).
 */
import type { Context } from 'node-seal/implementation/context.js';
import { HeError, reason } from './errors.js';
import { parmsIdBytes, scope, seal } from './seal.js';

export interface OpenedContext {
  readonly context: Context;
  /** The parms id of the key level (the full coefficient modulus), 32 bytes: identifies the parameter set. */
  readonly keyParmsId: Uint8Array;
  /** The parms id of the first data level (where fresh ciphertexts live), 32 bytes. */
  readonly firstParmsId: Uint8Array;
  /** Number of primes in the first data level's coefficient modulus (fresh ciphertexts have this many). */
  readonly firstCoeffCount: number;
}

const batchingPrimes = new Map<string, bigint>();

/**
 * SEAL's `PlainModulus.Batching(n, bits)`: the largest prime of exactly `bits` bits congruent to 1 mod 2n.
 * Memoised: node-seal's wrapper copies the returned Modulus and cannot free the original, so each distinct
 * call leaks a few bytes of wasm heap once.
 */
export function batchingPrime(polyModulusDegree: number, bits: number): bigint {
  const key = `${polyModulusDegree}/${bits}`;
  let p = batchingPrimes.get(key);
  if (p === undefined) {
    const m = seal().PlainModulus.Batching(polyModulusDegree, bits);
    try {
      p = m.value;
    } finally {
      m.delete();
    }
    batchingPrimes.set(key, p);
  }
  return p;
}

/** True when SEAL's `Modulus` considers `value` prime (deterministic Miller-Rabin for 64-bit values). */
export function sealIsPrime(value: bigint): boolean {
  return scope((keep) => keep(seal().Modulus(value)).isPrime);
}

/** Bit sizes of SEAL's default BFV coefficient modulus for n at 128-bit security. */
export function bfvDefaultBits(polyModulusDegree: number): number[] {
  return scope((keep) => {
    const v = keep(seal().CoeffModulus.BFVDefault(polyModulusDegree, seal().SecurityLevel.tc128));
    return Array.from(v.toArray() as BigUint64Array, (q) => q.toString(2).length);
  });
}

/**
 * Opens a SEAL context. `coeffModulusBits` equal to SEAL's BFV default for n selects exactly the default
 * primes (`CoeffModulus.BFVDefault`); other bit sizes select primes with `CoeffModulus.Create`. Both are
 * deterministic, so every party that opens the same parameters gets the same parms id.
 */
export function openContext(
  scheme: 'bfv' | 'ckks',
  polyModulusDegree: number,
  coeffModulusBits: readonly number[],
  plainModulus?: bigint,
): OpenedContext {
  const s = seal();
  const context = scope((keep) => {
    const parms = keep(s.EncryptionParameters(scheme === 'bfv' ? s.SchemeType.bfv : s.SchemeType.ckks));
    parms.setPolyModulusDegree(polyModulusDegree);
    const useDefault = scheme === 'bfv' && sameBits(coeffModulusBits, bfvDefaultBits(polyModulusDegree));
    const coeff = keep(
      useDefault
        ? s.CoeffModulus.BFVDefault(polyModulusDegree, s.SecurityLevel.tc128)
        : s.CoeffModulus.Create(polyModulusDegree, Int32Array.from(coeffModulusBits)),
    );
    parms.setCoeffModulus(coeff);
    if (plainModulus !== undefined) parms.setPlainModulus(keep(s.Modulus(plainModulus)));
    let ctx;
    try {
      ctx = s.Context(parms, true, s.SecurityLevel.tc128);
    } catch (e) {
      throw new HeError('bad-parameters', `SEAL refused the ${scheme.toUpperCase()} parameters: ${reason(e)}`);
    }
    if (!ctx.parametersSet()) {
      ctx.delete();
      throw new HeError(
        'bad-parameters',
        `SEAL refused the ${scheme.toUpperCase()} parameters (n = ${polyModulusDegree}, ` +
          `coefficient modulus bits ${coeffModulusBits.join('+')}) as invalid or below 128-bit security`,
      );
    }
    return ctx;
  });
  try {
    const raw = context.instance as RawContext;
    const keyParmsId = parmsIdBytes(raw.keyParmsId());
    const firstParmsId = parmsIdBytes(raw.firstParmsId());
    const firstCoeffCount = scope((keep) => {
      const data = keep(context.firstContextData);
      const parms = keep(data.parms);
      return parms.coeffModulus.length;
    });
    return { context, keyParmsId, firstParmsId, firstCoeffCount };
  } catch (e) {
    context.delete();
    throw e;
  }
}

/** The embind SEALContext methods used directly (the node-seal getters leak a copy of the parms id). */
interface RawContext {
  keyParmsId(): { values(): Iterable<bigint>; delete(): void };
  firstParmsId(): { values(): Iterable<bigint>; delete(): void };
}

function sameBits(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
