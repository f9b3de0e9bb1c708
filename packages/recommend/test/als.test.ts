import { describe, expect, it } from 'vitest';
import {
  alsAlgorithm,
  alsCustomerStep,
  federatedRound,
  initItemFactors,
  poolInteractions,
  seededRandom,
  trainRecommender,
} from '../src/index.js';
import { denseSolve, maxAbsDiff, norm, onlyCustomer, smallFederation } from './tables.js';

const alpha = 3;
const lambda = 0.5;
const k = 2;

describe('weighted ALS', () => {
  const tables = smallFederation();
  const pooled = poolInteractions(tables);
  const items = initItemFactors(6, k, seededRandom('als-init'), 0.5);
  items.biases.set([0.1, -0.2, 0.3, 0, 0.05, -0.1]);

  it('solves each customer in closed form as the dense weighted ridge problem does', () => {
    const customers = alsCustomerStep(items, pooled, alpha, lambda);
    for (let c = 0; c < pooled.customerIds.length; c++) {
      // Full confidence and preference rows over all six items, then (sum_i c_ui y~ y~^T + lambda I) th = ...
      const conf = new Array(6).fill(1);
      const pref = new Array(6).fill(0);
      for (let e = pooled.offsets[c]!; e < pooled.offsets[c + 1]!; e++) {
        conf[pooled.items[e]!] = 1 + alpha * pooled.strengths[e]!;
        pref[pooled.items[e]!] = 1;
      }
      const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a === b ? lambda : 0)));
      const rhs = [0, 0, 0];
      for (let i = 0; i < 6; i++) {
        const y = [items.factors[i * k]!, items.factors[i * k + 1]!, 1];
        for (let a = 0; a < 3; a++) {
          rhs[a]! += conf[i] * (pref[i] - items.biases[i]!) * y[a]!;
          for (let b = 0; b < 3; b++) A[a]![b]! += conf[i] * y[a]! * y[b]!;
        }
      }
      const direct = denseSolve(A, rhs);
      expect(customers.factors[c * k]).toBeCloseTo(direct[0]!, 12);
      expect(customers.factors[c * k + 1]).toBeCloseTo(direct[1]!, 12);
      expect(customers.biases[c]).toBeCloseTo(direct[2]!, 12);
    }
  });

  it('solves each item from the summed normal equations as the dense problem does', () => {
    const als = alsAlgorithm({ k, alpha, lambda });
    const customers = alsCustomerStep(items, pooled, alpha, lambda);
    const next = als.applyItemUpdate(items, als.localItemUpdate(items, customers, pooled, seededRandom(0)));
    const n = pooled.customerIds.length;
    for (let i = 0; i < 6; i++) {
      const A = [0, 1, 2].map((a) => [0, 1, 2].map((b) => (a === b ? lambda : 0)));
      const rhs = [0, 0, 0];
      for (let u = 0; u < n; u++) {
        let cu = 1;
        let p = 0;
        for (let e = pooled.offsets[u]!; e < pooled.offsets[u + 1]!; e++) {
          if (pooled.items[e] !== i) continue;
          cu = 1 + alpha * pooled.strengths[e]!;
          p = 1;
        }
        const x = [customers.factors[u * k]!, customers.factors[u * k + 1]!, 1];
        for (let a = 0; a < 3; a++) {
          rhs[a]! += cu * (p - customers.biases[u]!) * x[a]!;
          for (let b = 0; b < 3; b++) A[a]![b]! += cu * x[a]! * x[b]!;
        }
      }
      const direct = denseSolve(A, rhs);
      expect(next.factors[i * k]).toBeCloseTo(direct[0]!, 12);
      expect(next.factors[i * k + 1]).toBeCloseTo(direct[1]!, 12);
      expect(next.biases[i]).toBeCloseTo(direct[2]!, 12);
    }
  });

  it('federated over three merchants equals centralized on the pooled table to 1e-9 after 8 rounds', () => {
    const als = alsAlgorithm({ k, alpha, lambda });
    const federated = trainRecommender(als, tables, { rounds: 8, seed: 'same' });
    const central = trainRecommender(als, [pooled], { rounds: 8, seed: 'same' });
    expect(maxAbsDiff(federated.items.factors, central.items.factors)).toBeLessThan(1e-9);
    expect(maxAbsDiff(federated.items.biases, central.items.biases)).toBeLessThan(1e-9);
    const federatedCustomers = Float64Array.from(federated.customers.flatMap((c) => [...c.factors]));
    expect(maxAbsDiff(federatedCustomers, central.customers[0]!.factors)).toBeLessThan(1e-9);
    // and the model moved: the test would pass vacuously if nothing trained
    expect(
      maxAbsDiff(federated.items.factors, initItemFactors(6, k, seededRandom('same/items')).factors),
    ).toBeGreaterThan(0.01);
  });

  it('sums one round of merchant updates to the pooled update', () => {
    const als = alsAlgorithm({ k, alpha, lambda });
    const merchants = tables.map((data) => ({ data, rng: seededRandom(1) }));
    const round = federatedRound(als, items, merchants);
    const customers = als.localCustomerStep(items, pooled, undefined, seededRandom(1));
    const whole = als.localItemUpdate(items, customers, pooled, seededRandom(1));
    expect(whole.length).toBe(als.updateLength(6));
    expect(whole.length).toBe(6 * (6 + 3) + 6 + 3); // K = 3: T = 6 packed entries and K = 3 per item, plus the tail
    expect(maxAbsDiff(round.sum, whole)).toBeLessThan(1e-12);
  });

  it('bounds every customer contribution by the clip and keeps the sum of the clipped contributions', () => {
    const clip = 5;
    const clipped = alsAlgorithm({ k, alpha, lambda, clip });
    const plain = alsAlgorithm({ k, alpha, lambda });
    const customers = alsCustomerStep(items, pooled, alpha, lambda);
    const sum = new Float64Array(clipped.updateLength(6));
    let wasClipped = 0;
    for (let c = 0; c < pooled.customerIds.length; c++) {
      const one = onlyCustomer(pooled, customers, c);
      const contribution = clipped.localItemUpdate(items, one.customers, one.data, seededRandom(0));
      const raw = plain.localItemUpdate(items, one.customers, one.data, seededRandom(0));
      expect(norm(contribution)).toBeLessThanOrEqual(clip * (1 + 1e-12));
      if (norm(raw) > clip) {
        wasClipped += 1;
        expect(norm(contribution)).toBeCloseTo(clip, 9);
      } else expect(maxAbsDiff(contribution, raw)).toBe(0);
      contribution.forEach((v, p) => (sum[p]! += v));
    }
    expect(wasClipped).toBeGreaterThan(0);
    expect(wasClipped).toBeLessThan(pooled.customerIds.length);
    expect(maxAbsDiff(sum, clipped.localItemUpdate(items, customers, pooled, seededRandom(0)))).toBeLessThan(1e-12);
  });
});
