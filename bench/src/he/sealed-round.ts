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
  completeGraph,
  harary,
  simulateRound,
  type RoundConfig,
  type RoundDropouts,
  type RoundMembers,
  type RoundStageName,
  type RoundStep,
} from '@tessera/secagg';
import { benchDropouts } from '../secagg/bench-dropouts.js';

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
  dropouts: RoundDropouts,
  sealing?: Sealing,
): RoundRun {
  // Each participant's time at each stage (the sum of its steps there); the critical path takes the slowest.
  const spent: Record<RoundStageName, Map<number, number>> = {
    advertise: new Map(),
    shareKeys: new Map(),
    maskedInput: new Map(),
    consistencyCheck: new Map(),
    unmask: new Map(),
  };
  let serverSeconds = 0;
  let finalSeconds = 0;
  let encryptSeconds = 0;
  let encryptorSetupSeconds = 0;
  let accumulateSeconds = 0;
  let sealedBytes = 0;
  const step = <R>(s: RoundStep, work: () => R): R => {
    const start = now();
    const r = work();
    const dt = now() - start;
    if (s.party !== 'server') spent[s.stage].set(s.party, (spent[s.stage].get(s.party) ?? 0) + dt);
    else {
      serverSeconds += dt;
      if (s.call === 'receiveSealed') accumulateSeconds += dt;
      if (s.call === 'finish') finalSeconds = dt;
    }
    return r;
  };
  const start = now();
  const options = { config, identities, inputs: encoded, dropouts, step };
  let output: Uint32Array;
  let members: RoundMembers;
  if (sealing) {
    // A participant encrypts its masked vector under the analyst's key (its own encryptor); the server adds it.
    const round = simulateRound(options, {
      seal: (_i, y) => {
        const e = now();
        const encryptor = new BfvEncryptor(sealing.params, sealing.publicKey);
        encryptorSetupSeconds += now() - e;
        let chunks: Uint8Array[];
        try {
          chunks = encryptor.encrypt(y);
        } finally {
          encryptor.dispose();
        }
        encryptSeconds += now() - e;
        sealedBytes = chunks.reduce((a, b) => a + b.length, 0);
        return chunks;
      },
      absorb: (_i, chunks) => sealing.accumulator.addVector(chunks),
    });
    output = round.maskCorrection;
    members = round;
  } else {
    const round = simulateRound(options);
    output = round.sum;
    members = round;
  }
  const slowest = (m: Map<number, number>) => [...m.values()].reduce((a, b) => Math.max(a, b), 0);
  return {
    survivors: members.survivors,
    dropped: members.dropped,
    seconds: now() - start,
    criticalPathSeconds: serverSeconds + Object.values(spent).reduce((a, m) => a + slowest(m), 0),
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
  const dropouts = benchDropouts(n, drop, seed);
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
      if (!w) throw new Error(`member ${i} is not one of the ${encoded.length} participants`);
      for (let j = 0; j < d; j++) {
        const s = sum[j]! + w[j]!; // sum and every encoded vector hold d words
        sum[j] = s >= p ? s - p : s;
      }
    }
    return sum;
  };

  // Masked round.
  const masked = runRound(configFor(), identities, encoded, dropouts);
  checkEqual("the masked round's sum", masked.output, plainSumOf(masked.survivors));

  // Sealed round.
  t = now();
  const keys = BfvKeyPair.generate(params);
  const keygenSeconds = now() - t;
  const chunkCount = bfvChunkCount(params, d);
  const accumulator = new BfvAccumulator(params, chunkCount);
  let decryptor: BfvDecryptor | undefined;
  try {
    const sealedRun = runRound(configFor(), identities, encoded, dropouts, {
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
