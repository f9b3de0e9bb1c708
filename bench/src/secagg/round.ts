import { benchDeltas, now } from '../bench-inputs.js';
import { randomBytes } from 'node:crypto';
import { generateSigningKeyPair, seededRandom, type SigningKeyPair } from '@tessera/crypto';
import { encodeUpdate } from '@tessera/fl';
import {
  chooseParameters,
  ClientMaskedInput,
  completeGraph,
  harary,
  simulateRound,
  type RoundConfig,
  type RoundStep,
} from '@tessera/secagg';
import { benchDropouts } from './bench-dropouts.js';

/** One measured round of aggregation in one process: the real protocol objects, no network. */
export interface SecAggRoundFigures {
  participants: number;
  dimension: number;
  drop: number;
  threshold: number;
  degree: number;
  survivors: number;
  /** Plain round: every participant quantises its update (stochastic rounding), the server sums the vectors. */
  plainSeconds: number;
  /**
   * Secure round: the same quantisation, then all four SecAgg+ stages for every participant and the server, run one
   * after another.
   */
  secureSeconds: number;
  ratio: number;
  /** The server's unmask (reconstruct seeds and keys, regenerate and remove masks). */
  unmaskSeconds: number;
  /**
   * Round time if participants run in parallel (each on its own machine): server time plus the slowest participant of
   * each stage.
   */
  secureCriticalPathSeconds: number;
  plainCriticalPathSeconds: number;
  /** PRG-and-add throughput inside participants' mask step (words per second, one core). */
  maskingWordsPerSecond: number;
  /** The client's unmask includes checking its neighbours' consistency signatures (nearly all of its time). */
  clientSecondsMean: { advertise: number; shareKeys: number; mask: number; sign: number; unmask: number };
  /** What the ConsistencyCheck stage adds to the round (Bonawitz et al. 2017, section 4.2). */
  consistency: ConsistencyCost;
}

/** The ConsistencyCheck's share of a round, in seconds. */
export interface ConsistencyCost {
  /** The server: the survivor set, one signature check per survivor, each signer's forwarded signatures. */
  serverSeconds: number;
  /** Every participant: signing the survivor set, and checking its neighbours' signatures before it unmasks. */
  participantSeconds: number;
  /** serverSeconds + participantSeconds, as this benchmark runs them (one after another, in one process). */
  totalSeconds: number;
  /** totalSeconds over secureSeconds (the whole secure round, quantisation included). */
  shareOfSecure: number;
  /** Per participant on its own machine: the server's part plus the slowest participant's sign and check. */
  criticalPathSeconds: number;
  /** Signatures the slowest-checking participant verified (its neighbours that signed). */
  signaturesChecked: number;
}

export function measureSecAggRound(n: number, d: number, drop: number, seed = 'bench-secagg'): SecAggRoundFigures {
  const codec = { bits: 20, clip: 10, modulus: 2 ** 32 };
  const updates = benchDeltas(n, d - 1, seed);
  const rng = seededRandom(`${seed}/rounding`);
  const identities: SigningKeyPair[] = Array.from({ length: n }, () => generateSigningKeyPair());

  // Both rounds start with every participant quantising its update (timed once, counted in both).
  let t = now();
  let slowestEncode = 0;
  const encoded: Uint32Array[] = [];
  for (const u of updates) {
    const s = now();
    encoded.push(encodeUpdate(u, 1, codec, rng).words);
    slowestEncode = Math.max(slowestEncode, now() - s);
  }
  const encodeSeconds = now() - t;
  // Plain round: the server sums the quantised vectors.
  const sumStart = now();
  const plainSum = new Uint32Array(d);
  // plainSum and every encoded vector hold d words
  for (const w of encoded) for (let i = 0; i < d; i++) plainSum[i] = (plainSum[i]! + w[i]!) >>> 0;
  const plainSumSeconds = now() - sumStart;
  const plainSeconds = encodeSeconds + plainSumSeconds;

  // Secure round, with `drop` of the participants dropping at a random stage.
  const p = chooseParameters({ n, dropoutRate: Math.max(0.1, drop), corruptFraction: 0.1 });
  const roundId = new Uint8Array(randomBytes(32));
  const graph = p.complete ? completeGraph(n) : harary(n, p.degree, roundId);
  const config: RoundConfig = {
    roundId,
    n,
    threshold: p.threshold,
    graph,
    dimension: d,
    identityKeys: identities.map((k) => k.publicKey),
  };
  const dropouts = benchDropouts(n, drop, seed);
  const times = {
    advertise: [] as number[],
    shareKeys: [] as number[],
    mask: [] as number[],
    sign: [] as number[],
    unmask: [] as number[],
  };
  let serverSeconds = 0;
  let serverCheckSeconds = 0;
  let signaturesChecked = 0;
  let unmaskSeconds = 0;
  let maskWords = 0,
    maskSeconds = 0;
  let sharingNeighbours = 0;
  // Attributes each step's time: a participant's receiveShares and mask make one mask time, and the mask call alone
  // is the masking throughput's; the server's finish is its unmask.
  const step = <R>(s: RoundStep, work: () => R): R => {
    const start = now();
    const r = work();
    const dt = now() - start;
    if (s.party === 'server') {
      serverSeconds += dt;
      if (s.call === 'finish') unmaskSeconds = dt;
      // The check stage itself, and building each signer's unmask request (its neighbours' signatures).
      if (s.stage === 'consistencyCheck' || s.call === 'unmaskRequest') serverCheckSeconds += dt;
      if (s.call === 'unmaskRequest' && r && typeof r === 'object' && 'signatures' in r)
        signaturesChecked = Math.max(signaturesChecked, (r as { signatures: unknown[] }).signatures.length);
    } else if (s.call === 'advertise') times.advertise.push(dt);
    else if (s.call === 'receiveKeys' || s.call === 'shareKeys') times.shareKeys.push(dt);
    else if (s.call === 'receiveShares') {
      times.mask.push(dt);
      if (r instanceof ClientMaskedInput) sharingNeighbours = r.sharingNeighbours.length;
    } else if (s.call === 'mask') {
      times.mask[times.mask.length - 1]! += dt;
      maskSeconds += dt;
      maskWords += d * (sharingNeighbours + 1);
    } else if (s.call === 'sign') times.sign.push(dt);
    else if (s.call === 'unmask') times.unmask.push(dt);
    return r;
  };

  t = now();
  const round = simulateRound({ config, identities, inputs: encoded, dropouts, step });
  const sum = round.sum;
  const secureSeconds = encodeSeconds + (now() - t);

  // The result must be exact: the survivors' encoded vectors, summed.
  const expected = new Uint32Array(d);
  for (const i of round.survivors) {
    const w = encoded[i];
    if (!w) throw new Error(`survivor ${i} is not one of the ${encoded.length} participants`);
    for (let j = 0; j < d; j++) expected[j] = (expected[j]! + w[j]!) >>> 0;
  }
  for (let j = 0; j < d; j++)
    if (sum[j] !== expected[j]) throw new Error(`secure sum differs from the plain sum at index ${j}`);

  const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const mean = (xs: number[]) => (xs.length ? total(xs) / xs.length : 0);
  const checkSeconds = serverCheckSeconds + total(times.sign) + total(times.unmask);
  return {
    participants: n,
    dimension: d,
    drop,
    threshold: p.threshold,
    degree: graph.degree,
    survivors: round.survivors.length,
    plainSeconds,
    secureSeconds,
    ratio: secureSeconds / plainSeconds,
    unmaskSeconds,
    secureCriticalPathSeconds:
      slowestEncode +
      serverSeconds +
      max(times.advertise) +
      max(times.shareKeys) +
      max(times.mask) +
      max(times.sign) +
      max(times.unmask),
    plainCriticalPathSeconds: slowestEncode + plainSumSeconds,
    maskingWordsPerSecond: maskWords / maskSeconds,
    clientSecondsMean: {
      advertise: mean(times.advertise),
      shareKeys: mean(times.shareKeys),
      mask: mean(times.mask),
      sign: mean(times.sign),
      unmask: mean(times.unmask),
    },
    consistency: {
      serverSeconds: serverCheckSeconds,
      participantSeconds: total(times.sign) + total(times.unmask),
      totalSeconds: checkSeconds,
      shareOfSecure: checkSeconds / secureSeconds,
      criticalPathSeconds: serverCheckSeconds + max(times.sign) + max(times.unmask),
      signaturesChecked,
    },
  };
}
