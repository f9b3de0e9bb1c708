import type { Random } from '@tessera/crypto';

/** The shared item side of the model: item i's factors are factors[i*k, (i+1)*k). */
export interface ItemFactors {
  readonly k: number;
  readonly count: number;
  readonly factors: Float64Array;
  readonly biases: Float64Array;
  /** Coordinator-side optimiser state (BPR's Adagrad accumulator), absent for ALS. */
  readonly accumulator?: Float64Array;
}

/** A merchant's own customers' factors and biases; they never leave the merchant. */
export interface CustomerFactors {
  readonly k: number;
  readonly count: number;
  readonly factors: Float64Array;
  readonly biases: Float64Array;
}

/** Small Gaussian item factors (standard deviation `scale`) and zero biases. */
export function initItemFactors(count: number, k: number, rng: Random, scale = 0.1): ItemFactors {
  const factors = new Float64Array(count * k);
  for (let j = 0; j < factors.length; j++) factors[j] = scale * rng.gaussian();
  return { k, count, factors, biases: new Float64Array(count) };
}

export function zeroCustomerFactors(count: number, k: number): CustomerFactors {
  return { k, count, factors: new Float64Array(count * k), biases: new Float64Array(count) };
}

/**
 * Writes every item's score for customer c into `out`: b_c + b_i + x_c . y_i. The customer bias does not change
 * the ranking; it is kept so that the scores are the model's predicted preferences.
 */
export function scoreItems(items: ItemFactors, customers: CustomerFactors, c: number, out: Float64Array): void {
  const { k } = items;
  const x = customers.factors.subarray(c * k, (c + 1) * k);
  const bc = customers.biases[c]!;
  for (let i = 0; i < items.count; i++) {
    let s = bc + items.biases[i]!;
    const o = i * k;
    for (let a = 0; a < k; a++) s += x[a]! * items.factors[o + a]!;
    out[i] = s;
  }
}

/** A scorer (see `rankHeldOut`) for a trained model: table customer c against every item. */
export function modelScorer(items: ItemFactors, customers: CustomerFactors) {
  return (c: number, out: Float64Array): void => scoreItems(items, customers, c, out);
}
