// Local serving: the merchant's customers' factors against a model's item factors, and each customer's top items
// among those it does not have yet. Runs entirely on the merchant's machine.
import {
  algorithmFromSpec,
  type CustomerFactors,
  type Interactions,
  type ItemFactors,
  scoreItems,
  seededRandom,
} from '@tessera/recommend';
import type { RecommendModelFile } from './model-file.js';

/**
 * BPR fits a customer by SGD passes over sampled triples (5 epochs a pass); serving repeats the pass from zero factors
 * this many times so that a customer settles against the final items, as it did over the job's rounds.
 */
export const BPR_SERVING_PASSES = 20;

/**
 * Every customer's factors against the model's items: ALS's closed form; BPR's SGD with a seeded sampler (the result
 * never leaves the machine, and the same files give the same recommendations).
 */
export function customerFactorsOf(model: RecommendModelFile, items: ItemFactors, data: Interactions): CustomerFactors {
  const algorithm = algorithmFromSpec({
    algorithm: model.algorithm,
    k: model.k,
    lambda: model.lambda,
    ...(model.alpha !== undefined ? { alpha: model.alpha } : {}),
    ...(model.itemRate !== undefined ? { itemRate: model.itemRate } : {}),
  });
  const rng = seededRandom(`tessera-model-recommend/${model.job.id}`);
  if (algorithm.name === 'als') return algorithm.localCustomerStep(items, data, undefined, rng);
  let customers: CustomerFactors | undefined;
  for (let pass = 0; pass < BPR_SERVING_PASSES; pass++)
    customers = algorithm.localCustomerStep(items, data, customers, rng);
  return customers!;
}

export interface Recommendation {
  item: string;
  score: number;
}

/** Scores every item for one customer and keeps the best `top` it has not interacted with (ties: lower index first). */
export class TopItems {
  private readonly scores: Float64Array;
  private readonly list: Int32Array;

  constructor(
    private readonly items: ItemFactors,
    private readonly customers: CustomerFactors,
    private readonly data: Interactions,
    top: number,
  ) {
    this.scores = new Float64Array(items.count);
    this.list = new Int32Array(Math.min(top, items.count));
  }

  of(c: number): Recommendation[] {
    const { scores, list, data } = this;
    scoreItems(this.items, this.customers, c, scores);
    for (let e = data.offsets[c]!; e < data.offsets[c + 1]!; e++) scores[data.items[e]!] = Number.NEGATIVE_INFINITY;
    let size = 0;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s === Number.NEGATIVE_INFINITY) continue;
      if (size === list.length && !(s > scores[list[size - 1]!]!)) continue;
      let p = size < list.length ? size++ : size - 1;
      for (; p > 0 && s > scores[list[p - 1]!]!; p--) list[p] = list[p - 1]!;
      list[p] = i;
    }
    const ids = data.catalogue.ids;
    return Array.from(list.subarray(0, size), (i) => ({ item: ids[i]!, score: scores[i]! }));
  }
}
