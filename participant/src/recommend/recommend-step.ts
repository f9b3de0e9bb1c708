// One recommend step at a merchant: the TRAIN item update or the EVALUATE sums, and their ring encoding.
import { DataError } from '@tessera/data';
import {
  encodeRecommendDp,
  encodeRecommendExact,
  RECOMMEND_FRACTION_BITS,
  recommendEvaluationLength,
  recommendEvaluationScale,
  type RecommendJobSpec,
  type RecommendNoise,
} from '@tessera/jobs';
import {
  algorithmFromSpec,
  modelScorer,
  rankHeldOut,
  type CustomerFactors,
  type ItemFactors,
  type Random,
  type RecommendAlgorithm,
} from '@tessera/recommend';
import type { RecommendJobState } from './recommend-memory.js';

/**
 * The job's algorithm as this node runs it: the signed spec's settings, and under differential privacy each
 * customer's part of the item update clipped to privacy.clip (the sensitivity the noise is sized to).
 */
export function algorithmOf(spec: RecommendJobSpec): RecommendAlgorithm {
  const m = spec.model;
  return algorithmFromSpec({
    algorithm: m.algorithm,
    k: m.k,
    lambda: m.lambda,
    ...(m.algorithm === 'als' ? { alpha: m.alpha } : { itemRate: m.itemRate }),
    ...(spec.privacy.mode === 'none' ? {} : { clip: spec.privacy.clip }),
  });
}

/**
 * A training round: this node's customers' factors against the round's item factors (from last round's, kept in
 * `state`; a retried round starts again from the factors its first attempt started from), then the item update, the
 * only thing that leaves, summed with the other merchants'. `rng` is the node's CSPRNG (BPR's negative sampling).
 */
export function trainStep(
  spec: RecommendJobSpec,
  items: ItemFactors,
  state: RecommendJobState,
  round: number,
  rng: Random,
): Float64Array {
  const algorithm = algorithmOf(spec);
  const kept = state.factors;
  const previous = kept && kept.round === round ? kept.before : kept?.after;
  const customers = algorithm.localCustomerStep(items, state.table.train, previous, rng);
  const update = algorithm.localItemUpdate(items, customers, state.table.train, rng);
  state.factors = { round, ...(previous ? { before: previous } : {}), after: customers };
  return update;
}

/**
 * The evaluation against the final item factors: the customers' factors fitted to them, then each customer's
 * held-out item ranked among every item it has not seen: [customers evaluated, hits@10, NDCG@10 sum, then per item 1
 * if it is in some customer's top 10]. Under differential privacy the whole vector is scaled so that each customer's
 * part is within privacy.clip (recommendEvaluationScale).
 */
export function evaluationStep(
  spec: RecommendJobSpec,
  items: ItemFactors,
  state: RecommendJobState,
  rng: Random,
): Float64Array {
  const split = state.table.split;
  if (!split) throw new Error('evaluation needs the held-out items (evaluation.holdOut "last")');
  const customers: CustomerFactors = algorithmOf(spec).localCustomerStep(
    items,
    state.table.train,
    state.factors?.after,
    rng,
  );
  const tally = rankHeldOut(modelScorer(items, customers), split);
  const out = new Float64Array(recommendEvaluationLength(items.count));
  out[0] = tally.customers;
  out[1] = tally.hits;
  out[2] = tally.ndcg;
  for (let i = 0; i < items.count; i++) out[3 + i] = tally.covered[i]!;
  if (spec.privacy.mode !== 'none') {
    const scale = recommendEvaluationScale(spec.privacy.clip);
    for (let i = 0; i < out.length; i++) out[i]! *= scale;
  }
  return out;
}

/**
 * The vector in the ring: exact wide fixed point without privacy, else the DP level with this node's noise share. A
 * value the exact encoding cannot hold (beyond +-2^39: ALS confidences 1 + alpha x strength too large) is a DataError
 * naming the data set and the spec fields that set it.
 */
export function encodeStep(
  spec: RecommendJobSpec,
  values: Float64Array,
  noise: RecommendNoise | undefined,
  modulus: number,
  rng: Random,
): Uint32Array {
  if (noise) return encodeRecommendDp(values, noise, modulus, rng);
  const limit = 2 ** (63 - RECOMMEND_FRACTION_BITS);
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]!) < limit) continue;
    const strength = spec.columns.count ?? spec.columns.rating;
    throw new DataError(
      { source: `data set "${spec.dataset}"` },
      `the item update (value ${i}: ${values[i]}) is beyond the exact encoding's ` +
        `±2^${63 - RECOMMEND_FRACTION_BITS}; ` +
        (spec.model.algorithm === 'als'
          ? 'lower model.alpha' +
            (strength
              ? ` or the "${strength}" column's values (columns.${spec.columns.count ? 'count' : 'rating'})`
              : '')
          : 'the item factors this round sent are too large for an exact sum'),
    );
  }
  return encodeRecommendExact(values, modulus);
}
