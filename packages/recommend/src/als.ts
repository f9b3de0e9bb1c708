import type { Random } from '@tessera/crypto';
import { type RecommendAlgorithm, checkClip, clipScale } from './algorithm.js';
import type { CustomerFactors, ItemFactors } from './factors.js';
import type { Interactions } from './interactions.js';
import { addOuterPacked, addUnpacked, choleskySolve, packedLength, packedOuterSquares } from './linalg.js';

export interface AlsOptions {
  /** Latent factors. */
  k: number;
  /** Confidence c = 1 + alpha * r for an observed strength r (Hu, Koren, Volinsky 2008). Default 10. */
  alpha?: number;
  /** L2 regularisation of every factor and bias. Default 1. */
  lambda?: number;
  /** Per-customer L2 bound on the contribution to the item update (record-level DP); none by default. */
  clip?: number;
}

export const DEFAULT_ALS = { alpha: 10, lambda: 1 } as const;

/**
 * Weighted ALS for implicit feedback with biases: the preference p_ui = 1 when r_ui > 0 (else 0) is fitted by
 * b_u + b_i + x_u . y_i with confidence c_ui. Both sides solve (k+1)-dimensional ridge problems, the bias riding as
 * the last coordinate against a constant 1 on the other side.
 *
 * The item update is the per-item normal equations, exactly, so federated ALS equals centralized ALS. With K = k + 1
 * and T = K(K+1)/2 (a packed symmetric K x K matrix), its layout is
 *   item i at i*(T+K): T entries of D_i = sum_{u saw i} (c_ui - 1) x~_u x~_u^T, then K of
 *                      r_i = sum_{u saw i} (c_ui (1 - b_u) + b_u) x~_u;
 *   then at items*(T+K): T entries of G = sum_u x~_u x~_u^T over every customer, and K of g = -sum_u b_u x~_u;
 * with x~_u = (x_u, 1). Item i's system is (G + D_i + lambda I) (y_i, b_i) = g + r_i. Sending the all-customer
 * part G, g once instead of in every item's block is the Y^T Y + Y^T (C_u - I) Y trick applied to the sum, and
 * packing the symmetric matrices halves the vector: items*(T+K) + T + K numbers instead of items*(K^2 + K).
 */
export function alsAlgorithm(options: AlsOptions): RecommendAlgorithm {
  const { k } = options;
  const alpha = options.alpha ?? DEFAULT_ALS.alpha;
  const lambda = options.lambda ?? DEFAULT_ALS.lambda;
  if (!(Number.isFinite(alpha) && alpha >= 0)) throw new RangeError(`alpha = ${alpha} must be a non-negative number`);
  if (!(Number.isFinite(lambda) && lambda > 0)) throw new RangeError(`lambda = ${lambda} must be a positive number`);
  checkClip(options.clip);
  const K = k + 1;
  const T = packedLength(K);
  const block = T + K;
  return {
    name: 'als',
    k,
    updateLength: (items) => items * block + block,
    localCustomerStep: (items, data, _previous, _rng: Random) => alsCustomerStep(items, data, alpha, lambda),
    localItemUpdate(items, customers, data) {
      const out = new Float64Array(items.count * block + block);
      const tail = items.count * block;
      const x = new Float64Array(K);
      x[k] = 1;
      for (let c = 0; c < customers.count; c++) {
        x.set(customers.factors.subarray(c * k, (c + 1) * k));
        const bu = customers.biases[c]!;
        const from = data.offsets[c]!;
        const to = data.offsets[c + 1]!;
        let scale = 1;
        if (options.clip !== undefined) {
          const P = packedOuterSquares(x);
          let N = 0;
          for (let a = 0; a < K; a++) N += x[a]! ** 2;
          let squares = P + bu * bu * N;
          for (let e = from; e < to; e++) {
            const cu = 1 + alpha * data.strengths[e]!;
            squares += (cu - 1) ** 2 * P + (cu * (1 - bu) + bu) ** 2 * N;
          }
          scale = clipScale(squares, options.clip);
        }
        addOuterPacked(out, tail, x, scale);
        for (let a = 0; a < K; a++) out[tail + T + a]! -= scale * bu * x[a]!;
        for (let e = from; e < to; e++) {
          const at = data.items[e]! * block;
          const cu = 1 + alpha * data.strengths[e]!;
          addOuterPacked(out, at, x, scale * (cu - 1));
          const w = scale * (cu * (1 - bu) + bu);
          for (let a = 0; a < K; a++) out[at + T + a]! += w * x[a]!;
        }
      }
      return out;
    },
    applyItemUpdate(items, sum) {
      if (sum.length !== items.count * block + block) {
        throw new RangeError(`ALS item update has length ${sum.length}, expected ${items.count * block + block}`);
      }
      const tail = items.count * block;
      const factors = new Float64Array(items.count * k);
      const biases = new Float64Array(items.count);
      const A = new Float64Array(K * K);
      const rhs = new Float64Array(K);
      const solution = new Float64Array(K);
      for (let i = 0; i < items.count; i++) {
        A.fill(0);
        addUnpacked(A, K, sum, tail);
        addUnpacked(A, K, sum, i * block);
        for (let a = 0; a < K; a++) {
          A[a * K + a]! += lambda;
          rhs[a] = sum[tail + T + a]! + sum[i * block + T + a]!;
        }
        choleskySolve(A, K, rhs, solution);
        factors.set(solution.subarray(0, k), i * k);
        biases[i] = solution[k]!;
      }
      return { k, count: items.count, factors, biases };
    },
  };
}

/**
 * Every customer's closed-form solve: (Y~^T Y~ + Y~^T (C_u - I) Y~ + lambda I) (x_u, b_u) = h + sum_{i seen}
 * (c_ui (1 - b_i) + b_i) y~_i with y~_i = (y_i, 1) and h = -sum_i b_i y~_i; Y~^T Y~ and h are shared by all.
 */
export function alsCustomerStep(
  items: ItemFactors,
  data: Interactions,
  alpha: number,
  lambda: number,
): CustomerFactors {
  const { k } = items;
  const K = k + 1;
  const gram = new Float64Array(K * K);
  const h = new Float64Array(K);
  const y = new Float64Array(K);
  y[k] = 1;
  const itemVector = (i: number) => {
    y.set(items.factors.subarray(i * k, (i + 1) * k));
    return y;
  };
  for (let i = 0; i < items.count; i++) {
    const v = itemVector(i);
    const bi = items.biases[i]!;
    for (let a = 0; a < K; a++) {
      h[a]! -= bi * v[a]!;
      for (let b = 0; b < K; b++) gram[a * K + b]! += v[a]! * v[b]!;
    }
  }
  for (let a = 0; a < K; a++) gram[a * K + a]! += lambda;
  const count = data.customerIds.length;
  const factors = new Float64Array(count * k);
  const biases = new Float64Array(count);
  const A = new Float64Array(K * K);
  const rhs = new Float64Array(K);
  const solution = new Float64Array(K);
  for (let c = 0; c < count; c++) {
    A.set(gram);
    rhs.set(h);
    for (let e = data.offsets[c]!; e < data.offsets[c + 1]!; e++) {
      const i = data.items[e]!;
      const v = itemVector(i);
      const cu = 1 + alpha * data.strengths[e]!;
      const w = cu * (1 - items.biases[i]!) + items.biases[i]!;
      for (let a = 0; a < K; a++) {
        rhs[a]! += w * v[a]!;
        const va = (cu - 1) * v[a]!;
        for (let b = 0; b < K; b++) A[a * K + b]! += va * v[b]!;
      }
    }
    choleskySolve(A, K, rhs, solution);
    factors.set(solution.subarray(0, k), c * k);
    biases[c] = solution[k]!;
  }
  return { k, count, factors, biases };
}
