import { agree, hkdfSha256, lengthPrefixed, u32be } from '@tessera/crypto';
import type { Neighbourhood } from './graph.js';

/** What the server and every client of one round attempt agree on before it starts. */
export interface RoundConfig {
  /**
   * Unique per round attempt (a restarted round gets a new one). Bound into every signature, key derivation
   * and associated data, so nothing from another round is accepted.
   */
  readonly roundId: Uint8Array;
  /** Participants, with indices 0..n-1 (2 <= n <= 65535: Shamir evaluation points are index + 1). */
  readonly n: number;
  /**
   * Shamir threshold t in 2..degree + 1: shares needed to recover a secret, and the fewest participants a stage may
   * close with.
   */
  readonly threshold: number;
  readonly graph: Neighbourhood;
  /** Arithmetic modulus of inputs and masks, an integer in [2, 2^32]; 2^32 when omitted. */
  readonly modulus?: number;
  /** Length of every input vector. */
  readonly dimension: number;
  /** Ed25519 identity public key of each participant, by index. */
  readonly identityKeys: readonly Uint8Array[];
}

export const DEFAULT_MODULUS = 2 ** 32;

/** A checked copy of a `RoundConfig` with the modulus filled in. */
export interface ResolvedConfig extends RoundConfig {
  readonly modulus: number;
}

export function resolveConfig(config: RoundConfig): ResolvedConfig {
  const { roundId, n, threshold, graph, dimension, identityKeys } = config;
  const modulus = config.modulus ?? DEFAULT_MODULUS;
  if (!(roundId instanceof Uint8Array) || roundId.length === 0)
    throw new RangeError('roundId must be a non-empty Uint8Array');
  if (!Number.isInteger(n) || n < 2 || n > 0xffff) throw new RangeError(`n must be an integer in 2..65535, got ${n}`);
  if (!graph || graph.n !== n) throw new RangeError(`the graph has ${graph?.n} nodes, the round has n = ${n}`);
  // t = 1 would hand every neighbour the secrets themselves (a degree-0 polynomial).
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > graph.degree + 1) {
    throw new RangeError(
      `threshold must be an integer in 2..${graph.degree + 1} (degree + 1 share holders), got ${threshold}`,
    );
  }
  if (!Number.isInteger(modulus) || modulus < 2 || modulus > DEFAULT_MODULUS)
    throw new RangeError(`modulus must be an integer in [2, 2^32], got ${modulus}`);
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
  if (!Array.isArray(identityKeys) || identityKeys.length !== n)
    throw new RangeError(`identityKeys must hold one key per participant (${n}), got ${identityKeys?.length}`);
  identityKeys.forEach((k, i) => {
    if (!(k instanceof Uint8Array) || k.length !== 32)
      throw new RangeError(`identity key of participant ${i} must be 32 bytes`);
  });
  return Object.freeze({ ...config, modulus });
}

const encoder = new TextEncoder();
const label = (s: string): Uint8Array => encoder.encode(s);

/** Signature context of an AdvertiseKeys message. */
export const ADVERTISE_CONTEXT = 'tessera/secagg/advertise';
export const SHARE_KEY_INFO = 'tessera/secagg/share-key';
export const SHARE_AD_LABEL = 'tessera/secagg/share';
export const PAIRWISE_MASK_INFO = 'tessera/secagg/pairwise-mask';
/**
 * Signature context of a ConsistencyCheck response: distinct from the advertisement's, so neither passes as the
 * other.
 */
export const CONSISTENCY_CONTEXT = 'tessera/secagg/consistency';

/**
 * The signed bytes of an advertisement: lengthPrefixed(roundId, u32(index), encryptionKey, maskingKey), under context
 * ADVERTISE_CONTEXT.
 */
export function advertisedBytes(
  roundId: Uint8Array,
  index: number,
  encryptionKey: Uint8Array,
  maskingKey: Uint8Array,
): Uint8Array {
  return lengthPrefixed(roundId, u32be(index), encryptionKey, maskingKey);
}

/** Indices as consecutive big-endian u32s (the lists of a consistency check are sorted before they are signed). */
function u32s(indices: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * indices.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`not a participant index: ${v}`);
    view.setUint32(4 * i, v, false);
  }
  return out;
}

/** A consistency check's survivor set as it is signed; encoded once, signed or verified once per participant. */
export interface EncodedSurvivorSet {
  readonly survivors: Uint8Array;
  readonly dropped: Uint8Array;
}

/** `survivors` and `dropped`, each sorted, as u32s. */
export function encodeSurvivorSet(survivors: readonly number[], dropped: readonly number[]): EncodedSurvivorSet {
  return { survivors: u32s(survivors), dropped: u32s(dropped) };
}

/**
 * The signed bytes of a consistency check: lengthPrefixed(roundId, u32(index), u32s(survivors), u32s(dropped)), under
 * context CONSISTENCY_CONTEXT. The signer's index is bound in, so one signature never counts for two participants
 * (even two that share an identity key).
 */
export function consistencyBytes(roundId: Uint8Array, index: number, set: EncodedSurvivorSet): Uint8Array {
  return lengthPrefixed(roundId, u32be(index), set.survivors, set.dropped);
}

/** AES-256-GCM key for the shares u sends to v (and v to u). */
export function shareKey(roundId: Uint8Array, secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  return hkdfSha256(agree(secretKey, peerPublicKey), roundId, SHARE_KEY_INFO, 32);
}

/** Associated data of the share ciphertext from `from` to `to`. */
export function shareAd(roundId: Uint8Array, from: number, to: number): Uint8Array {
  return lengthPrefixed(label(SHARE_AD_LABEL), roundId, u32be(from), u32be(to));
}

/** PRG seed s_{u,v} of the pairwise mask between u and v. */
export function pairwiseSeed(
  roundId: Uint8Array,
  maskingSecretKey: Uint8Array,
  peerMaskingKey: Uint8Array,
): Uint8Array {
  return hkdfSha256(agree(maskingSecretKey, peerMaskingKey), roundId, PAIRWISE_MASK_INFO, 32);
}

/** The sign with which u adds the pairwise mask it shares with v: +1 if u < v, else -1. */
export function maskSign(u: number, v: number): 1 | -1 {
  return u < v ? 1 : -1;
}

export function describeIndex(i: unknown): string {
  return typeof i === 'number' ? String(i) : (JSON.stringify(i) ?? String(i));
}

export function isIndex(n: number, i: unknown): i is number {
  return typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < n;
}

/** Participant i's Ed25519 identity public key (resolveConfig checked there is one per index 0..n-1). */
export function identityKeyOf(config: ResolvedConfig, i: number): Uint8Array {
  const key = config.identityKeys[i];
  if (key === undefined) {
    const last = config.identityKeys.length - 1;
    throw new RangeError(`no identity key for participant ${describeIndex(i)}: the round has keys for 0..${last}`);
  }
  return key;
}

/**
 * Checks that y is a Uint32Array of the round's dimension with every entry below the modulus; returns a problem or
 * undefined.
 */
export function vectorProblem(
  config: ResolvedConfig,
  y: unknown,
): { code: 'wrong-length' | 'wrong-modulus'; message: string } | undefined {
  if (!(y instanceof Uint32Array)) return { code: 'wrong-length', message: 'is not a Uint32Array' };
  if (y.length !== config.dimension)
    return { code: 'wrong-length', message: `has length ${y.length}, the round's dimension is ${config.dimension}` };
  if (config.modulus !== DEFAULT_MODULUS) {
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!; // i < y.length
      if (v >= config.modulus) {
        return { code: 'wrong-modulus', message: `has entry ${i} = ${v}, not below the modulus ${config.modulus}` };
      }
    }
  }
  return undefined;
}
