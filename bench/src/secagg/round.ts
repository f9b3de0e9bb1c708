import { benchDeltas, now } from '../bench-inputs.js';
import { randomBytes } from 'node:crypto';
import { generateSigningKeyPair, seededRandom, type SigningKeyPair } from '@tessera/crypto';
import { encodeUpdate } from '@tessera/fl';
import {
  chooseParameters,
  ClientAdvertiseKeys,
  completeGraph,
  harary,
  ServerAdvertiseKeys,
  type ClientMaskedInput,
  type ClientShareKeys,
  type ClientUnmask,
  type RoundConfig,
} from '@tessera/secagg';

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
  clientSecondsMean: { advertise: number; shareKeys: number; mask: number; unmask: number };
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
  for (const w of encoded) for (let i = 0; i < d; i++) plainSum[i] = (plainSum[i] + w[i]) >>> 0;
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
  const order = Array.from({ length: n }, (_, i) => i);
  const dropRng = seededRandom(`${seed}/drop`);
  dropRng.shuffle(order);
  const dropStage = new Map<number, number>(order.slice(0, Math.round(drop * n)).map((i) => [i, dropRng.int(4)]));
  const gone = (i: number, stage: number) => (dropStage.get(i) ?? 99) <= stage;
  const times = { advertise: [] as number[], shareKeys: [] as number[], mask: [] as number[], unmask: [] as number[] };
  let serverSeconds = 0;
  const timed = <T>(bucket: number[] | null, fn: () => T): T => {
    const s = now();
    const r = fn();
    const dt = now() - s;
    if (bucket) bucket.push(dt);
    else serverSeconds += dt;
    return r;
  };

  t = now();
  const server1 = timed(null, () => new ServerAdvertiseKeys(config));
  const advertising = new Map<number, ClientAdvertiseKeys>();
  for (let i = 0; i < n; i++) {
    if (gone(i, 0)) continue;
    const c = timed(times.advertise, () => new ClientAdvertiseKeys(config, i, identities[i].secretKey));
    advertising.set(i, c);
    timed(null, () => server1.receive(c.advertise()));
  }
  const server2 = timed(null, () => server1.close());
  const sharing = new Map<number, ClientShareKeys>();
  for (const [i, c] of advertising) {
    if (gone(i, 1)) continue;
    const next = timed(times.shareKeys, () => c.receiveKeys(server2.forwardedKeys(i)));
    const msg = timed(times.shareKeys, () => next.shareKeys());
    sharing.set(i, next);
    timed(null, () => server2.receive(msg));
  }
  const server3 = timed(null, () => server2.close());
  const unmasking = new Map<number, ClientUnmask>();
  let maskWords = 0,
    maskSeconds = 0;
  for (const [i, c] of sharing) {
    if (gone(i, 2)) continue;
    const masking: ClientMaskedInput = timed(times.mask, () => c.receiveShares(server3.sharesFor(i)));
    const s = now();
    const { message, next } = masking.mask(encoded[i]);
    const dt = now() - s;
    times.mask[times.mask.length - 1] += dt;
    maskSeconds += dt;
    maskWords += d * (masking.sharingNeighbours.length + 1);
    unmasking.set(i, next);
    timed(null, () => server3.receive(message));
  }
  const server4 = timed(null, () => server3.close());
  const request = server4.unmaskRequest();
  for (const [i, c] of unmasking) {
    if (gone(i, 3)) continue;
    const msg = timed(times.unmask, () => c.unmask(request).message);
    timed(null, () => server4.receive(msg));
  }
  const unmaskStart = now();
  const sum = server4.finish();
  const unmaskSeconds = now() - unmaskStart;
  serverSeconds += unmaskSeconds;
  const secureSeconds = encodeSeconds + (now() - t);

  // The result must be exact: the survivors' encoded vectors, summed.
  const expected = new Uint32Array(d);
  for (const i of request.survivors) for (let j = 0; j < d; j++) expected[j] = (expected[j] + encoded[i][j]) >>> 0;
  for (let j = 0; j < d; j++)
    if (sum[j] !== expected[j]) throw new Error(`secure sum differs from the plain sum at index ${j}`);

  const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    participants: n,
    dimension: d,
    drop,
    threshold: p.threshold,
    degree: graph.degree,
    survivors: request.survivors.length,
    plainSeconds,
    secureSeconds,
    ratio: secureSeconds / plainSeconds,
    unmaskSeconds,
    secureCriticalPathSeconds:
      slowestEncode + serverSeconds + max(times.advertise) + max(times.shareKeys) + max(times.mask) + max(times.unmask),
    plainCriticalPathSeconds: slowestEncode + plainSumSeconds,
    maskingWordsPerSecond: maskWords / maskSeconds,
    clientSecondsMean: {
      advertise: mean(times.advertise),
      shareKeys: mean(times.shareKeys),
      mask: mean(times.mask),
      unmask: mean(times.unmask),
    },
  };
}
