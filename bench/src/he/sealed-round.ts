import { benchDeltas, now } from '../bench-inputs.js';
/**
 * One sealed-mode round in one process with the real objects (SecAgg+ state machines, node-seal BFV), no
 * network, against the same round in masked mode, on the same quantised inputs and the same dropouts:
 *
 * - masked: participants quantise (modulus = the BFV plain modulus p), run SecAgg+ with modulus p and send
 *   their masked vectors in plaintext; the server sums them and unmasks (`finish()`);
 * - sealed: the same, but each survivor encrypts its masked vector under the analyst's BFV public key; the
 *   server adds the ciphertexts (`BfvAccumulator`), subtracts the mask correction (`maskCorrection()`) as a
 *   plaintext, and the analyst decrypts the sum.
 *
 * Both sums are checked word for word against the plain sum of the survivors' quantised inputs.
 */
import { randomBytes } from 'node:crypto';
import { generateSigningKeyPair, seededRandom, type SigningKeyPair } from '@tessera/crypto';
import { checkUpdateCodec, encodeUpdate } from '@tessera/fl';
import {
  BfvAccumulator,
  BfvDecryptor,
  BfvEncryptor,
  BfvKeyPair,
  bfvChunkCount,
  chooseBfvParameters,
  loadSeal,
  plainModulusOf,
  type BfvParameters,
} from '@tessera/he';
import {
  chooseParameters,
  ClientAdvertiseKeys,
  completeGraph,
  harary,
  ServerAdvertiseKeys,
  type ClientShareKeys,
  type ClientUnmask,
  type MaskedInput,
  type RoundConfig,
} from '@tessera/secagg';

export interface SealedRoundRequest {
  readonly participants: number;
  /** Words per vector (d - 1 update coordinates and the weight word). */
  readonly dimension: number;
  /** Share of participants that drop out, each at a random stage (the same ones in both rounds). Default 0. */
  readonly drop?: number;
  /** Seed of the synthetic updates and of the dropout pattern (not of any key). */
  readonly seed?: string;
}

export interface SealedRoundFigures {
  participants: number;
  dimension: number;
  drop: number;
  threshold: number;
  degree: number;
  survivors: number;
  dropped: number;
  /** Quantisation bits per coordinate, and the modulus of quantisation, SecAgg+ and BFV plaintexts. */
  bits: number;
  plainModulus: number;
  polyModulusDegree: number;
  /** Ciphertexts per participant: ceil(dimension / slots). */
  chunks: number;
  /** Masked round: quantisation, the four SecAgg+ stages for everyone, the server's unmask; one after another. */
  maskedSeconds: number;
  /** Sealed round: the same plus encryption, homomorphic sum, mask correction, decryption. */
  sealedSeconds: number;
  sealedOverMasked: number;
  /** Round time if participants run in parallel: server and analyst time plus the slowest participant of each stage. */
  maskedCriticalPathSeconds: number;
  sealedCriticalPathSeconds: number;
  sealedOverMaskedCriticalPath: number;
  /** The analyst's key generation (once per job, not per round: outside both round times). */
  keygenSeconds: number;
  /**
   * All survivors' encryptions, summed: each builds its encryptor (SEAL context, public key loaded and checked), then
   * encrypts.
   */
  encryptSeconds: number;
  /** The encryptor set-up part of encryptSeconds (a participant node could keep it across rounds with the same key). */
  encryptorSetupSeconds: number;
  /** Encryption alone (set-up excluded), per vector word. */
  encryptUsPerValue: number;
  /** The server's homomorphic additions (deserialise, validate, add), all survivors. */
  accumulateSeconds: number;
  accumulateUsPerValue: number;
  /** The server's maskCorrection() (sealed) and finish() (masked): the same mask expansion. */
  correctionSeconds: number;
  unmaskSeconds: number;
  /** Subtracting the correction and serialising the sealed sum (BfvAccumulator.result()). */
  subtractSeconds: number;
  /** The analyst's decryption of the sealed sum (noise-budget check included). */
  decryptSeconds: number;
  /** Invariant noise budget left in the sealed sum (bits, the smallest over chunks). */
  noiseBudgetBits: number;
  /** One participant's upload per vector word: BFV ciphertexts, and a plaintext masked word (4 bytes). */
  bytesPerValueSealed: number;
  bytesPerValueMasked: number;
  bytesSealedOverMasked: number;
  /** The sealed sum sent to the analyst, in bytes. */
  sealedSumBytes: number;
}

const BITS = 20;

/** The work sealed mode adds to a round; absent for the masked round. */
interface Sealing {
  readonly params: BfvParameters;
  readonly publicKey: Uint8Array;
  readonly accumulator: BfvAccumulator;
}

interface RoundRun {
  survivors: number[];
  dropped: number[];
  seconds: number;
  criticalPathSeconds: number;
  /** Masked round: the unmasked sum. Sealed round: the mask correction. */
  output: Uint32Array;
  finalSeconds: number;
  encryptSeconds: number;
  encryptorSetupSeconds: number;
  accumulateSeconds: number;
  sealedBytesPerParticipant: number;
}

/** One SecAgg+ round over `encoded` with the given dropouts; sealed when `sealing` is given. */
function runRound(
  config: RoundConfig,
  identities: readonly SigningKeyPair[],
  encoded: readonly Uint32Array[],
  gone: (i: number, stage: number) => boolean,
  sealing?: Sealing,
): RoundRun {
  const n = config.n;
  const slowest = [0, 0, 0, 0];
  let serverSeconds = 0;
  const timed = <T>(stage: number | null, fn: () => T): T => {
    const s = now();
    const r = fn();
    const dt = now() - s;
    if (stage === null) serverSeconds += dt;
    else slowest[stage] = Math.max(slowest[stage], dt);
    return r;
  };
  let encryptSeconds = 0;
  let encryptorSetupSeconds = 0;
  let accumulateSeconds = 0;
  let sealedBytes = 0;
  const start = now();

  const server1 = timed(null, () => new ServerAdvertiseKeys(config));
  const advertising = new Map<number, ClientAdvertiseKeys>();
  for (let i = 0; i < n; i++) {
    if (gone(i, 0)) continue;
    const c = timed(0, () => new ClientAdvertiseKeys(config, i, identities[i].secretKey));
    advertising.set(i, c);
    timed(null, () => server1.receive(c.advertise()));
  }
  const server2 = timed(null, () => server1.close());
  const sharing = new Map<number, ClientShareKeys>();
  for (const [i, c] of advertising) {
    if (gone(i, 1)) continue;
    const { next, msg } = timed(1, () => {
      const next = c.receiveKeys(server2.forwardedKeys(i));
      return { next, msg: next.shareKeys() };
    });
    sharing.set(i, next);
    timed(null, () => server2.receive(msg));
  }
  const server3 = timed(null, () => server2.close());
  const unmasking = new Map<number, ClientUnmask>();
  for (const [i, c] of sharing) {
    if (gone(i, 2)) continue;
    // A participant masks and, in sealed mode, encrypts under the analyst's key (its own encryptor).
    const s = now();
    const { message, next } = c.receiveShares(server3.sharesFor(i)).mask(encoded[i]);
    let chunks: Uint8Array[] | undefined;
    if (sealing) {
      const e = now();
      const encryptor = new BfvEncryptor(sealing.params, sealing.publicKey);
      encryptorSetupSeconds += now() - e;
      try {
        chunks = encryptor.encrypt(message.y);
      } finally {
        encryptor.dispose();
      }
      encryptSeconds += now() - e;
      sealedBytes = chunks.reduce((a, b) => a + b.length, 0);
    }
    slowest[2] = Math.max(slowest[2], now() - s);
    unmasking.set(i, next);
    if (sealing) {
      const sealed = chunks!;
      const a = now();
      server3.receiveSealed(i, () => sealing.accumulator.addVector(sealed));
      const dt = now() - a;
      accumulateSeconds += dt;
      serverSeconds += dt;
    } else {
      const plain: MaskedInput = message;
      timed(null, () => server3.receive(plain));
    }
  }
  const server4 = timed(null, () => server3.close());
  const request = server4.unmaskRequest();
  for (const [i, c] of unmasking) {
    if (gone(i, 3)) continue;
    const msg = timed(3, () => c.unmask(request).message);
    timed(null, () => server4.receive(msg));
  }
  const f = now();
  const output = sealing ? server4.maskCorrection() : server4.finish();
  const finalSeconds = now() - f;
  serverSeconds += finalSeconds;
  return {
    survivors: [...request.survivors],
    dropped: [...request.dropped],
    seconds: now() - start,
    criticalPathSeconds: serverSeconds + slowest.reduce((a, b) => a + b, 0),
    output,
    finalSeconds,
    encryptSeconds,
    encryptorSetupSeconds,
    accumulateSeconds,
    sealedBytesPerParticipant: sealedBytes,
  };
}

function checkEqual(what: string, got: Uint32Array, expected: Uint32Array): void {
  if (got.length !== expected.length) throw new Error(`${what}: ${got.length} words, expected ${expected.length}`);
  for (let j = 0; j < got.length; j++)
    if (got[j] !== expected[j])
      throw new Error(
        `${what} differs from the plain sum of the survivors' inputs at word ${j}: ${got[j]} != ${expected[j]}`,
      );
}

export async function measureSealedRound(request: SealedRoundRequest): Promise<SealedRoundFigures> {
  const { participants: n, dimension: d } = request;
  const drop = request.drop ?? 0;
  const seed = request.seed ?? 'bench-sealed';
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`participants must be an integer >= 2, got ${n}`);
  if (!Number.isInteger(d) || d < 2) throw new RangeError(`dimension must be an integer >= 2, got ${d}`);
  if (!(drop >= 0 && drop < 1)) throw new RangeError(`drop must be in [0, 1), got ${drop}`);
  await loadSeal();
  const params = chooseBfvParameters({ participants: n, bitsPerCoordinate: BITS });
  const p = plainModulusOf(params);
  const codec = { bits: BITS, clip: 10, modulus: p };
  checkUpdateCodec(codec, n);

  const identities: SigningKeyPair[] = Array.from({ length: n }, () => generateSigningKeyPair());
  const updates = benchDeltas(n, d - 1, seed);
  const rng = seededRandom(`${seed}/rounding`);
  // Quantisation is the same work in both rounds: timed once, counted in both.
  let t = now();
  let slowestEncode = 0;
  const encoded = updates.map((u) => {
    const s = now();
    const words = encodeUpdate(u, 1, codec, rng).words;
    slowestEncode = Math.max(slowestEncode, now() - s);
    return words;
  });
  const encodeSeconds = now() - t;

  const sp = chooseParameters({ n, dropoutRate: Math.max(0.1, drop), corruptFraction: 0.1 });
  const order = Array.from({ length: n }, (_, i) => i);
  const dropRng = seededRandom(`${seed}/drop`);
  dropRng.shuffle(order);
  const dropStage = new Map<number, number>(order.slice(0, Math.round(drop * n)).map((i) => [i, dropRng.int(4)]));
  const gone = (i: number, stage: number) => (dropStage.get(i) ?? 99) <= stage;
  const configFor = (): RoundConfig => {
    // A fresh round id (and fresh keys) for each round: masks are never reused.
    const roundId = new Uint8Array(randomBytes(32));
    const graph = sp.complete ? completeGraph(n) : harary(n, sp.degree, roundId);
    return {
      roundId,
      n,
      threshold: sp.threshold,
      graph,
      modulus: p,
      dimension: d,
      identityKeys: identities.map((k) => k.publicKey),
    };
  };

  const plainSumOf = (members: readonly number[]) => {
    const sum = new Uint32Array(d);
    for (const i of members) {
      const w = encoded[i];
      for (let j = 0; j < d; j++) {
        const s = sum[j] + w[j];
        sum[j] = s >= p ? s - p : s;
      }
    }
    return sum;
  };

  // Masked round.
  const masked = runRound(configFor(), identities, encoded, gone);
  checkEqual("the masked round's sum", masked.output, plainSumOf(masked.survivors));

  // Sealed round.
  t = now();
  const keys = BfvKeyPair.generate(params);
  const keygenSeconds = now() - t;
  const chunkCount = bfvChunkCount(params, d);
  const accumulator = new BfvAccumulator(params, chunkCount);
  let decryptor: BfvDecryptor | undefined;
  try {
    const sealedRun = runRound(configFor(), identities, encoded, gone, {
      params,
      publicKey: keys.publicKey,
      accumulator,
    });
    t = now();
    accumulator.subtractPlainVector(sealedRun.output);
    const sealedSum = accumulator.result();
    const subtractSeconds = now() - t;
    t = now();
    const secretKey = keys.secretKeyBytes();
    decryptor = new BfvDecryptor(params, secretKey);
    secretKey.fill(0);
    const sum = decryptor.decrypt(sealedSum, d);
    const decryptSeconds = now() - t;
    checkEqual("the sealed round's decrypted sum", sum, plainSumOf(sealedRun.survivors));
    const dec = decryptor;
    const noiseBudgetBits = Math.min(...sealedSum.map((c) => dec.noiseBudget(c)));
    const sealedSumBytes = sealedSum.reduce((a, c) => a + c.length, 0);

    const maskedSeconds = encodeSeconds + masked.seconds;
    const sealedSeconds = encodeSeconds + sealedRun.seconds + subtractSeconds + decryptSeconds;
    const maskedCriticalPathSeconds = slowestEncode + masked.criticalPathSeconds;
    const sealedCriticalPathSeconds = slowestEncode + sealedRun.criticalPathSeconds + subtractSeconds + decryptSeconds;
    const survivorValues = sealedRun.survivors.length * d;
    const bytesPerValueSealed = sealedRun.sealedBytesPerParticipant / d;
    return {
      participants: n,
      dimension: d,
      drop,
      threshold: sp.threshold,
      degree: sp.complete ? n - 1 : sp.degree,
      survivors: sealedRun.survivors.length,
      dropped: sealedRun.dropped.length,
      bits: BITS,
      plainModulus: p,
      polyModulusDegree: params.polyModulusDegree,
      chunks: chunkCount,
      maskedSeconds,
      sealedSeconds,
      sealedOverMasked: sealedSeconds / maskedSeconds,
      maskedCriticalPathSeconds,
      sealedCriticalPathSeconds,
      sealedOverMaskedCriticalPath: sealedCriticalPathSeconds / maskedCriticalPathSeconds,
      keygenSeconds,
      encryptSeconds: sealedRun.encryptSeconds,
      encryptorSetupSeconds: sealedRun.encryptorSetupSeconds,
      encryptUsPerValue: ((sealedRun.encryptSeconds - sealedRun.encryptorSetupSeconds) * 1e6) / survivorValues,
      accumulateSeconds: sealedRun.accumulateSeconds,
      accumulateUsPerValue: (sealedRun.accumulateSeconds * 1e6) / survivorValues,
      correctionSeconds: sealedRun.finalSeconds,
      unmaskSeconds: masked.finalSeconds,
      subtractSeconds,
      decryptSeconds,
      noiseBudgetBits,
      bytesPerValueSealed,
      bytesPerValueMasked: 4,
      bytesSealedOverMasked: bytesPerValueSealed / 4,
      sealedSumBytes,
    };
  } finally {
    accumulator.dispose();
    decryptor?.dispose();
  }
}
