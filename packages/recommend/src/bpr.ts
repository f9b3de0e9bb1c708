import { type RecommendAlgorithm, checkClip, clipScale } from './algorithm.js';
import { sampleBprTriples } from './bpr-triples.js';
import type { CustomerFactors, ItemFactors } from './factors.js';
import type { Interactions } from './interactions.js';

export interface BprOptions {
  k: number;
  /** L2 regularisation of factors and item biases, per triple. Default 0.01. */
  lambda?: number;
  /** Learning rate of the merchant's SGD on its customers' factors. Default 0.05. */
  customerRate?: number;
  /** Passes over a round's triples in the customer step. Default 5. */
  customerEpochs?: number;
  /** The coordinator's Adagrad step size on the summed item gradient. Default 0.05. */
  itemRate?: number;
  /** Unseen items drawn per seen entry each round. Default 1. */
  negatives?: number;
  /** Per-customer L2 bound on the contribution to the item update (record-level DP); none by default. */
  clip?: number;
}

export const DEFAULT_BPR = { lambda: 0.01, customerRate: 0.05, customerEpochs: 5, itemRate: 0.05, negatives: 1 };

const sigmoidOfMinus = (z: number) => 1 / (1 + Math.exp(z));

/**
 * BPR (Rendle et al. 2009) for implicit feedback, score b_i + x_u . y_i (a customer bias cancels in BPR's pairwise
 * differences, so customer biases stay 0). The merchant fits its customers' factors by SGD against fixed items and
 * sends the summed gradient of the BPR log-likelihood with respect to the item side: items*k factor entries then
 * items bias entries. The coordinator takes one Adagrad ascent step on the sum, which makes the step independent of
 * how many customers contributed.
 */
export function bprAlgorithm(options: BprOptions): RecommendAlgorithm {
  const { k } = options;
  const o = { ...DEFAULT_BPR, ...options };
  checkClip(options.clip);
  return {
    name: 'bpr',
    k,
    updateLength: (items) => items * (k + 1),
    localCustomerStep(items, data, previous, rng) {
      const triples = sampleBprTriples(data, rng, o.negatives);
      const factors = previous ? Float64Array.from(previous.factors) : new Float64Array(data.customerIds.length * k);
      for (let epoch = 0; epoch < o.customerEpochs; epoch++) {
        for (let t = 0; t < triples.length; t += 3) {
          const xo = triples[t]! * k;
          const io = triples[t + 1]! * k;
          const jo = triples[t + 2]! * k;
          let z = items.biases[triples[t + 1]!]! - items.biases[triples[t + 2]!]!;
          for (let a = 0; a < k; a++) z += factors[xo + a]! * (items.factors[io + a]! - items.factors[jo + a]!);
          const g = sigmoidOfMinus(z);
          for (let a = 0; a < k; a++) {
            const x = factors[xo + a]!;
            factors[xo + a] =
              x + o.customerRate * (g * (items.factors[io + a]! - items.factors[jo + a]!) - o.lambda * x);
          }
        }
      }
      return { k, count: data.customerIds.length, factors, biases: new Float64Array(data.customerIds.length) };
    },
    localItemUpdate: (items, customers, data, rng) =>
      bprItemGradient(items, customers, data, sampleBprTriples(data, rng, o.negatives), o.lambda, options.clip),
    applyItemUpdate(items, sum) {
      const n = items.count * k;
      if (sum.length !== n + items.count) {
        throw new RangeError(`BPR item update has length ${sum.length}, expected ${n + items.count}`);
      }
      const accumulator = items.accumulator ? Float64Array.from(items.accumulator) : new Float64Array(sum.length);
      const factors = Float64Array.from(items.factors);
      const biases = Float64Array.from(items.biases);
      for (let p = 0; p < sum.length; p++) {
        const g = sum[p]!;
        accumulator[p]! += g * g;
        const step = accumulator[p]! > 0 ? (o.itemRate * g) / Math.sqrt(accumulator[p]!) : 0;
        if (p < n) factors[p]! += step;
        else biases[p - n]! += step;
      }
      return { k, count: items.count, factors, biases, accumulator };
    },
  };
}

/**
 * The summed gradient (ascent direction) of sum over triples of ln sigmoid(s_ui - s_uj) - lambda/2 (|y_i|^2 + |y_j|^2
 * + b_i^2 + b_j^2) with respect to the item factors and biases, laid out items*k factors then items biases. Each
 * customer's part is scaled to L2 norm at most `clip` when given. `triples` index the table's own customers,
 * ascending (as `sampleBprTriples` gives them).
 */
export function bprItemGradient(
  items: ItemFactors,
  customers: CustomerFactors,
  data: Interactions,
  triples: Uint32Array,
  lambda: number,
  clip?: number,
): Float64Array {
  const { k, count } = items;
  const n = count * k;
  const out = new Float64Array(n + count);
  const own = new Float64Array(n + count);
  const touched = new Set<number>();
  const flush = () => {
    let squares = 0;
    for (const i of touched) {
      for (let a = 0; a < k; a++) squares += own[i * k + a]! ** 2;
      squares += own[n + i]! ** 2;
    }
    const scale = clipScale(squares, clip);
    for (const i of touched) {
      for (let a = 0; a < k; a++) {
        out[i * k + a]! += scale * own[i * k + a]!;
        own[i * k + a] = 0;
      }
      out[n + i]! += scale * own[n + i]!;
      own[n + i] = 0;
    }
    touched.clear();
  };
  let current = -1;
  for (let t = 0; t < triples.length; t += 3) {
    const c = triples[t]!;
    if (c < current) throw new RangeError(`triple ${t / 3}: triples must be grouped by customer, ascending`);
    if (c !== current) {
      flush();
      current = c;
    }
    if (c >= data.customerIds.length) throw new RangeError(`triple ${t / 3} names customer ${c}, beyond the table`);
    const i = triples[t + 1]!;
    const j = triples[t + 2]!;
    const xo = c * k;
    let z = items.biases[i]! - items.biases[j]!;
    for (let a = 0; a < k; a++)
      z += customers.factors[xo + a]! * (items.factors[i * k + a]! - items.factors[j * k + a]!);
    const g = sigmoidOfMinus(z);
    for (let a = 0; a < k; a++) {
      const x = customers.factors[xo + a]!;
      own[i * k + a]! += g * x - lambda * items.factors[i * k + a]!;
      own[j * k + a]! += -g * x - lambda * items.factors[j * k + a]!;
    }
    own[n + i]! += g - lambda * items.biases[i]!;
    own[n + j]! += -g - lambda * items.biases[j]!;
    touched.add(i).add(j);
  }
  flush();
  return out;
}
