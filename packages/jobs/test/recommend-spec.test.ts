import { describe, expect, it } from 'vitest';
import { JobSpecError, parseRecommendSpec, recommendUpdateLength } from '../src/index.js';

const base = { name: 'joint', kind: 'recommend', dataset: 'orders', catalogue: { items: ['a', 'b', 'c'] } };

const refusal = (spec: unknown): string => {
  try {
    parseRecommendSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return (e as JobSpecError).field;
  }
  throw new Error('the spec was accepted');
};

describe('recommend job spec', () => {
  it('fills the defaults of a minimal spec', () => {
    const s = parseRecommendSpec(base);
    expect(s.columns).toEqual({ customer: 'customer_id', item: 'item_id' });
    expect(s.model).toMatchObject({ algorithm: 'als', k: 8, lambda: 1, alpha: 10 });
    expect(s.rounds).toBe(10);
    expect(s.privacy.mode).toBe('none');
    expect(s.secure.mode).toBe('masked');
    expect(s.evaluation.holdOut).toBe('last');
    expect(s.unknownItems).toBe('refuse');
    expect(parseRecommendSpec({ ...base, model: { algorithm: 'bpr' } }).rounds).toBe(100);
  });

  it('takes the private defaults under customer-level DP', () => {
    const als = parseRecommendSpec({ ...base, privacy: { mode: 'distributed' } });
    expect([als.model.lambda, als.rounds, als.privacy.clip]).toEqual([3, 5, 0.05]);
    const bpr = parseRecommendSpec({ ...base, model: { algorithm: 'bpr' }, privacy: { mode: 'distributed' } });
    expect([bpr.model.lambda, bpr.rounds, bpr.privacy.clip, bpr.model.itemRate]).toEqual([0.01, 50, 0.1, 0.5]);
    const given = parseRecommendSpec({ ...base, model: { lambda: 5 }, rounds: 7, privacy: { mode: 'distributed' } });
    expect([given.model.lambda, given.rounds]).toEqual([5, 7]);
    expect(parseRecommendSpec(als)).toEqual(als);
  });

  it('parses its own output to itself', () => {
    for (const algorithm of ['als', 'bpr']) {
      const once = parseRecommendSpec({ ...base, model: { algorithm } });
      expect(parseRecommendSpec(once)).toEqual(once);
    }
    expect(parseRecommendSpec(base).model.itemRate).toBeUndefined();
    expect(parseRecommendSpec({ ...base, model: { algorithm: 'bpr' } }).model.alpha).toBeUndefined();
  });

  it('names the field it refuses', () => {
    expect(refusal({ ...base, catalogue: undefined })).toBe('catalogue');
    expect(refusal({ ...base, catalogue: { items: [] } })).toBe('catalogue.items');
    expect(refusal({ ...base, catalogue: { items: ['a', 'a'] } })).toBe('catalogue.items[1]');
    expect(refusal({ ...base, model: { k: 0 } })).toBe('model.k');
    expect(refusal({ ...base, model: { algorithm: 'svd' } })).toBe('model.algorithm');
    expect(refusal({ ...base, model: { itemRate: 0.1 } })).toBe('model.itemRate');
    expect(refusal({ ...base, columns: { customer: 'x', item: 'x' } })).toBe('columns.customer');
    expect(refusal({ ...base, privacy: { mode: 'central' } })).toBe('privacy.mode');
    expect(refusal({ ...base, secure: { mode: 'plain' } })).toBe('secure.mode');
    expect(refusal({ ...base, secure: { mode: 'sealed' }, privacy: { mode: 'distributed' } })).toBe('privacy.mode');
    expect(refusal({ ...base, colums: {} })).toBe('colums');
    expect(refusal({ ...base, model: { algorithm: 'bpr' }, secure: { mode: 'sealed' } })).toBe('secure.mode');
    expect(refusal({ ...base, kind: 'train' })).toBe('kind');
  });

  it('refuses an update longer than a round sums, and says how to shorten it', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `sku-${i}`);
    expect(refusal({ ...base, catalogue: { items }, model: { k: 32 } })).toBe('model.k');
    expect(parseRecommendSpec({ ...base, catalogue: { items }, model: { algorithm: 'bpr', k: 32 } }).model.k).toBe(32);
  });

  it('sizes the update as the library does', () => {
    expect(recommendUpdateLength('bpr', 300, 8)).toBe(300 * 9);
    // K = 9, T = 45: 300 x 54 + 54
    expect(recommendUpdateLength('als', 300, 8)).toBe(300 * 54 + 54);
  });
});
