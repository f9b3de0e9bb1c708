/**
 * Sealed-mode cost per value: BFV (node-seal, batched, n = 4096) public-key encryption, coordinator-side
 * addition (deserialise + validate + add) and decryption of a `dimension`-word vector, against Paillier
 * with a 2048-bit modulus, which encrypts one value per ciphertext (timed on a small sample).
 */
import { randomBytes } from 'node:crypto';
import {
  BfvAccumulator,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  bfvChunkCount,
  chooseBfvParameters,
  loadSeal,
  plainModulusOf,
} from '@tessera/he';
import * as paillier from 'paillier-bigint';

export interface HeBenchRequest {
  /**
   * Participants per round: sets the plaintext modulus (participants * 2^16 must fit) and the number of additions timed
   * (at most 8).
   */
  readonly participants: number;
  /** Words per vector. */
  readonly dimension: number;
  /** Values encrypted with Paillier (one ciphertext each). Default 24. */
  readonly paillierSample?: number;
}

export interface HeBenchResult {
  bfvEncryptUsPerValue: number;
  bfvAddUsPerValue: number;
  bfvDecryptUsPerValue: number;
  paillierEncryptUsPerValue: number;
  paillierAddUsPerValue: number;
  paillierDecryptUsPerValue: number;
  /** paillierEncryptUsPerValue / bfvEncryptUsPerValue. */
  speedup: number;
  /** Serialized, compressed ciphertext bytes per vector word (the last chunk's padding included). */
  bytesPerValueSealed: number;
  /** A masked word without encryption: 4 bytes. */
  bytesPerValueMasked: number;
  /** The BFV ring dimension and plaintext modulus used. */
  polyModulusDegree: number;
  plainModulus: number;
}

const BITS_PER_COORDINATE = 16;
const MAX_TIMED_CONTRIBUTIONS = 8;

/** Uniform words mod p from node:crypto (rejection sampling). */
function randomWords(n: number, p: number): Uint32Array {
  const out = new Uint32Array(n);
  const limit = 2 ** 32 - (2 ** 32 % p);
  let filled = 0;
  while (filled < n) {
    const draw = new Uint32Array(randomBytes(4 * (n - filled + 16)).buffer);
    for (const w of draw) {
      if (filled >= n) break;
      if (w < limit) out[filled++] = w % p;
    }
  }
  return out;
}

const microseconds = (start: number) => (performance.now() - start) * 1000;

export async function measureHe(request: HeBenchRequest): Promise<HeBenchResult> {
  const { participants, dimension } = request;
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
  const sample = request.paillierSample ?? 24;
  await loadSeal();
  const params = chooseBfvParameters({ participants, bitsPerCoordinate: BITS_PER_COORDINATE });
  const p = plainModulusOf(params);
  const keys = BfvKeyPair.generate(params);
  const encryptor = new BfvEncryptor(params, keys.publicKey);
  const accumulator = new BfvAccumulator(params, bfvChunkCount(params, dimension));
  const decryptor = new BfvDecryptor(params, keys.secretKeyBytes());
  const contributions = Math.max(1, Math.min(participants, MAX_TIMED_CONTRIBUTIONS));
  let bfvEncryptUs = 0;
  let bfvAddUs = 0;
  let bfvDecryptUs = 0;
  let sealedBytes = 0;
  try {
    encryptor.encrypt(randomWords(Math.min(dimension, params.slots), p)); // warm-up
    const vectors = Array.from({ length: contributions }, () => randomWords(dimension, p));
    for (const words of vectors) {
      let t = performance.now();
      const chunks = encryptor.encrypt(words);
      bfvEncryptUs += microseconds(t);
      sealedBytes = chunks.reduce((a, c) => a + c.length, 0);
      t = performance.now();
      accumulator.addVector(chunks);
      bfvAddUs += microseconds(t);
    }
    const result = accumulator.result();
    const t = performance.now();
    decryptor.decrypt(result, dimension);
    bfvDecryptUs = microseconds(t);
  } finally {
    encryptor.dispose();
    accumulator.dispose();
    decryptor.dispose();
  }

  const { publicKey, privateKey } = await paillier.generateRandomKeys(2048);
  const values = Array.from(randomWords(sample, p), (w) => BigInt(w));
  let t = performance.now();
  const ciphertexts = values.map((m) => publicKey.encrypt(m));
  const paillierEncryptUs = microseconds(t);
  const first = ciphertexts[0];
  if (first === undefined)
    throw new RangeError(`the Paillier timings need a sample of at least one value, got ${sample}`);
  t = performance.now();
  // The coordinator's work per value: fold one participant's ciphertext into the running sum.
  let sum = first;
  for (let i = 1; i < ciphertexts.length; i++) sum = publicKey.addition(sum, ciphertexts[i]!);
  const paillierAddUs = microseconds(t);
  t = performance.now();
  for (const c of ciphertexts) privateKey.decrypt(c);
  const paillierDecryptUs = microseconds(t);
  if (privateKey.decrypt(sum) !== values.reduce((a, b) => a + b, 0n)) throw new Error('Paillier self-check failed');

  const bfvEncryptUsPerValue = bfvEncryptUs / (contributions * dimension);
  const paillierEncryptUsPerValue = paillierEncryptUs / sample;
  return {
    bfvEncryptUsPerValue,
    bfvAddUsPerValue: bfvAddUs / (contributions * dimension),
    bfvDecryptUsPerValue: bfvDecryptUs / dimension,
    paillierEncryptUsPerValue,
    paillierAddUsPerValue: paillierAddUs / Math.max(1, sample - 1),
    paillierDecryptUsPerValue: paillierDecryptUs / sample,
    speedup: paillierEncryptUsPerValue / bfvEncryptUsPerValue,
    bytesPerValueSealed: sealedBytes / dimension,
    bytesPerValueMasked: 4,
    polyModulusDegree: params.polyModulusDegree,
    plainModulus: p,
  };
}
