import { describe, expect, it } from 'vitest';
import {
  bprAlgorithm,
  bprItemGradient,
  initItemFactors,
  poolInteractions,
  sampleBprTriples,
  seededRandom,
} from '../src/index.js';
import { maxAbsDiff, norm, onlyCustomer, smallFederation } from './tables.js';

const k = 3;

describe('BPR', () => {
  const tables = smallFederation();
  const pooled = poolInteractions(tables);
  const items = initItemFactors(6, k, seededRandom('bpr-init'), 0.5);
  const bpr = bprAlgorithm({ k });

  it('samples only unseen negatives, one per seen entry', () => {
    const triples = sampleBprTriples(pooled, seededRandom('t'), 2);
    expect(triples.length).toBe(3 * 2 * pooled.items.length);
    for (let t = 0; t < triples.length; t += 3) {
      const c = triples[t]!;
      const own = [...pooled.items.subarray(pooled.offsets[c]!, pooled.offsets[c + 1]!)];
      expect(own).toContain(triples[t + 1]);
      expect(own).not.toContain(triples[t + 2]);
    }
  });

  it('one step: the merchants summed gradients equal the pooled gradient with the same sampled negatives', () => {
    const customersOf = tables.map((data, m) => bpr.localCustomerStep(items, data, undefined, seededRandom(`c${m}`)));
    const triplesOf = tables.map((data, m) => sampleBprTriples(data, seededRandom(`n${m}`)));
    const sum = new Float64Array(bpr.updateLength(6));
    tables.forEach((data, m) => {
      const g = bprItemGradient(items, customersOf[m]!, data, triplesOf[m]!, 0.01);
      g.forEach((v, p) => (sum[p]! += v));
    });
    // The pooled table numbers customers merchant after merchant: shift each merchant's triples accordingly.
    let offset = 0;
    const pooledTriples = Uint32Array.from(
      triplesOf.flatMap((triples, m) => {
        const shifted = [...triples].map((v, p) => (p % 3 === 0 ? v + offset : v));
        offset += tables[m]!.customerIds.length;
        return shifted;
      }),
    );
    const pooledCustomers = {
      k,
      count: pooled.customerIds.length,
      factors: Float64Array.from(customersOf.flatMap((c) => [...c.factors])),
      biases: new Float64Array(pooled.customerIds.length),
    };
    const whole = bprItemGradient(items, pooledCustomers, pooled, pooledTriples, 0.01);
    expect(norm(whole)).toBeGreaterThan(0.1);
    expect(maxAbsDiff(sum, whole)).toBeLessThan(1e-12);
    const a = bpr.applyItemUpdate(items, sum);
    const b = bpr.applyItemUpdate(items, whole);
    expect(maxAbsDiff(a.factors, b.factors)).toBeLessThan(1e-9);
    expect(maxAbsDiff(a.factors, items.factors)).toBeGreaterThan(0.01);
  });

  it('ascends the BPR objective: the update raises seen items above sampled unseen ones', () => {
    const rng = seededRandom('ascent');
    const customers = bpr.localCustomerStep(items, pooled, undefined, rng);
    const triples = sampleBprTriples(pooled, rng, 5);
    const objective = (it: typeof items) => {
      let s = 0;
      for (let t = 0; t < triples.length; t += 3) {
        const [c, i, j] = [triples[t]!, triples[t + 1]!, triples[t + 2]!];
        let z = it.biases[i]! - it.biases[j]!;
        for (let a = 0; a < k; a++)
          z += customers.factors[c * k + a]! * (it.factors[i * k + a]! - it.factors[j * k + a]!);
        s += -Math.log1p(Math.exp(-z));
      }
      return s;
    };
    const next = bpr.applyItemUpdate(items, bprItemGradient(items, customers, pooled, triples, 0));
    expect(objective(next)).toBeGreaterThan(objective(items));
  });

  it('bounds every customer contribution by the clip', () => {
    const clip = 0.5;
    const rng = seededRandom('clip');
    const customers = bpr.localCustomerStep(items, pooled, undefined, rng);
    const triples = sampleBprTriples(pooled, rng);
    const clipped = bprItemGradient(items, customers, pooled, triples, 0.01, clip);
    const sum = new Float64Array(clipped.length);
    let wasClipped = 0;
    for (let c = 0; c < pooled.customerIds.length; c++) {
      const one = onlyCustomer(pooled, customers, c);
      const own = [];
      for (let t = 0; t < triples.length; t += 3) if (triples[t] === c) own.push(0, triples[t + 1]!, triples[t + 2]!);
      const mine = Uint32Array.from(own);
      const raw = bprItemGradient(items, one.customers, one.data, mine, 0.01);
      const bounded = bprItemGradient(items, one.customers, one.data, mine, 0.01, clip);
      expect(norm(bounded)).toBeLessThanOrEqual(clip * (1 + 1e-12));
      if (norm(raw) > clip) wasClipped++;
      bounded.forEach((v, p) => (sum[p]! += v));
    }
    expect(wasClipped).toBeGreaterThan(0);
    expect(maxAbsDiff(sum, clipped)).toBeLessThan(1e-12);
  });

  it('refuses an update of the wrong length', () => {
    expect(() => bpr.applyItemUpdate(items, new Float64Array(5))).toThrow(/length 5, expected 24/);
  });
});
