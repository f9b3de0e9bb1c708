// A private recommend job in process, exactly as the services run it under customer-level DP: every merchant's
// clipped item update encoded by encodeRecommendDp (its noise share included), the ring sum a secure sum reveals,
// decodeRecommendDp, the coordinator's applyItemUpdate; then the evaluation release, scaled and noised alike.
import {
  decodeRecommendDp,
  encodeRecommendDp,
  parseRecommendSpec,
  type RecommendJobSpec,
  recommendEvaluationLength,
  recommendEvaluationScale,
  recommendNoise,
} from '@tessera/jobs';
import {
  algorithmFromSpec,
  type CustomerFactors,
  type Interactions,
  initItemFactors,
  itemPopularity,
  type LeaveLastOut,
  leaveLastOut,
  modelScorer,
  popularityScorer,
  type RankingMetrics,
  rankHeldOut,
  rankingMetrics,
  seededRandom,
  systemRandom,
  trainRecommender,
} from '../src/index.js';

const M = 2 ** 32;

export interface DpSetting {
  algorithm: 'als' | 'bpr';
  k: number;
  lambda: number;
  rounds: number;
  clip: number;
  epsilon: number;
  delta: number;
  /** Default: the spec's default (100 000). */
  maxCustomers?: number;
  alpha?: number;
  itemRate?: number;
  /** Measurement only: skip recommendNoise's ALS lambda floor, to see what the coordinator meets below it. */
  unchecked?: boolean;
}

export interface DpRun {
  /** From the model's exact ranking (what the merchants' customers get). */
  exact: RankingMetrics;
  /** HR@10 and NDCG@10 as the private evaluation release reports them (noisy counts divided). */
  released: { hr10: number; ndcg10: number; customers: number };
  noiseMultiplier: number;
  /** Noise std of each summed training value, in the update's real units. */
  roundNoiseStd: number;
  level: number;
  seconds: number;
  /** Set when a round's decoded sum could not be applied (ALS: a normal matrix made indefinite by the noise). */
  failed?: string;
}

/** The job spec the services would parse for this setting over `items` catalogue items. */
export function dpSpec(s: DpSetting, items: readonly string[]): RecommendJobSpec {
  return parseRecommendSpec({
    name: 'dp-quality',
    kind: 'recommend',
    dataset: 'orders',
    catalogue: { items },
    model: {
      algorithm: s.algorithm,
      k: s.k,
      lambda: s.lambda,
      ...(s.algorithm === 'als' && s.alpha !== undefined ? { alpha: s.alpha } : {}),
      ...(s.algorithm === 'bpr' && s.itemRate !== undefined ? { itemRate: s.itemRate } : {}),
    },
    rounds: s.rounds,
    evaluation: { holdOut: 'last' },
    privacy: {
      mode: 'distributed',
      epsilon: s.epsilon,
      delta: s.delta,
      clip: s.clip,
      ...(s.maxCustomers === undefined ? {} : { maxCustomers: s.maxCustomers }),
    },
  });
}

const ringSum = (vectors: Uint32Array[]): Uint32Array => {
  const out = new Uint32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] = (out[i]! + v[i]!) % M;
  return out;
};

/** Trains and evaluates one private job over the merchants' tables (all of them in every round). */
export function privateRun(s: DpSetting, tables: readonly Interactions[], seed = 'dp-quality'): DpRun {
  const started = performance.now();
  const spec = dpSpec(s, tables[0]!.catalogue.ids);
  const algorithm = algorithmFromSpec({ ...spec.model, clip: spec.privacy.clip });
  const splits = tables.map(leaveLastOut);
  const n = tables.length;
  const length = algorithm.updateLength(spec.catalogue.items.length);
  const checked = s.unchecked ? { ...spec, model: { ...spec.model, lambda: Number.POSITIVE_INFINITY } } : spec;
  const noise = recommendNoise(checked, n, length)!;
  const roundNoiseStd = (Math.sqrt(noise.shareVariance * n) / noise.level) * noise.clip;
  let items = initItemFactors(spec.catalogue.items.length, s.k, seededRandom(`${seed}/items`));
  const rngs = splits.map((_, m) => seededRandom(`${seed}/merchant/${m}`));
  let customers: (CustomerFactors | undefined)[] = splits.map(() => undefined);
  const base = { noiseMultiplier: noise.noiseMultiplier, roundNoiseStd, level: noise.level };
  for (let round = 1; round <= s.rounds; round++) {
    const words = splits.map((split, m) => {
      const c = algorithm.localCustomerStep(items, split.train, customers[m], rngs[m]!);
      customers[m] = c;
      return encodeRecommendDp(algorithm.localItemUpdate(items, c, split.train, rngs[m]!), noise, M, systemRandom());
    });
    const sum = decodeRecommendDp(ringSum(words), noise, n, M);
    try {
      items = algorithm.applyItemUpdate(items, sum);
    } catch (e) {
      return {
        ...base,
        exact: { hr10: 0, ndcg10: 0, coverage: 0, customers: 0 },
        released: { hr10: 0, ndcg10: 0, customers: 0 },
        seconds: (performance.now() - started) / 1000,
        failed: `round ${round}: ${(e as Error).message}`,
      };
    }
  }
  customers = splits.map((split, m) => algorithm.localCustomerStep(items, split.train, customers[m], rngs[m]!));
  const tallies = splits.map((split, m) => rankHeldOut(modelScorer(items, customers[m]!), split));
  const evalNoise = recommendNoise(checked, n, recommendEvaluationLength(items.count))!;
  const scale = recommendEvaluationScale(spec.privacy.clip);
  const evalWords = tallies.map((t) => {
    const v = Float64Array.from([t.customers, t.hits, t.ndcg, ...t.covered]).map((x) => x * scale);
    return encodeRecommendDp(v, evalNoise, M, systemRandom());
  });
  const released = decodeRecommendDp(ringSum(evalWords), evalNoise, n, M).map((x) => x / scale);
  return {
    ...base,
    exact: rankingMetrics(tallies),
    released: { hr10: released[1]! / released[0]!, ndcg10: released[2]! / released[0]!, customers: released[0]! },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The non-private federated model (no clip, no noise) and global popularity on the same leave-last-out splits. */
export function baselines(
  s: Pick<DpSetting, 'algorithm' | 'k' | 'lambda' | 'rounds' | 'clip'> & { clipped?: boolean },
  tables: readonly Interactions[],
  seed = 'dp-quality',
): { federated: RankingMetrics; popularity: RankingMetrics } {
  const splits: LeaveLastOut[] = tables.map(leaveLastOut);
  const algorithm = algorithmFromSpec({
    algorithm: s.algorithm,
    k: s.k,
    lambda: s.lambda,
    ...(s.clipped ? { clip: s.clip } : {}),
  });
  const model = trainRecommender(
    algorithm,
    splits.map((x) => x.train),
    { rounds: s.rounds, seed },
  );
  const federated = rankingMetrics(splits.map((x, m) => rankHeldOut(modelScorer(model.items, model.customers[m]!), x)));
  const popular = popularityScorer(itemPopularity(splits.map((x) => x.train)));
  return { federated, popularity: rankingMetrics(splits.map((x) => rankHeldOut(popular, x))) };
}
