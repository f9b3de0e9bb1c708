import { describe, expect, it } from 'vitest';
import { catalogueMultiplier, JobSpecError, parseCatalogueSpec } from '../src/index.js';

const base = { name: 'items', kind: 'catalogue', dataset: 'orders' };

const refusal = (spec: unknown): string => {
  try {
    parseCatalogueSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(JobSpecError);
    return (e as JobSpecError).field;
  }
  throw new Error('the spec was accepted');
};

describe('catalogue job spec', () => {
  it('fills the defaults of a minimal spec, and parses its own output to itself', () => {
    const s = parseCatalogueSpec(base);
    expect(s).toMatchObject({
      column: 'item_id',
      customerColumn: 'customer_id',
      maxItemsPerCustomer: 10,
      maxLength: 16,
      maxCandidates: 10_000,
      privacy: { mode: 'distributed', epsilon: 8, delta: 1e-6, maxCustomers: 100_000 },
      secure: { mode: 'masked', dropoutRate: 0.1, corruptFraction: 0.1 },
      minParticipants: 2,
    });
    expect(s.threshold).toBeUndefined();
    expect(parseCatalogueSpec(s)).toEqual(s);
    const given = parseCatalogueSpec({ ...base, threshold: 400, column: 'sku', privacy: { epsilon: 2 } });
    expect([given.threshold, given.column, given.privacy.epsilon]).toEqual([400, 'sku', 2]);
  });

  it('refuses bad fields, naming them', () => {
    expect(refusal({ ...base, maxLenght: 8 })).toBe('maxLenght');
    expect(refusal({ ...base, kind: 'recommend' })).toBe('kind');
    expect(refusal({ ...base, dataset: '' })).toBe('dataset');
    expect(refusal({ ...base, maxItemsPerCustomer: 0 })).toBe('maxItemsPerCustomer');
    expect(refusal({ ...base, maxItemsPerCustomer: 2.5 })).toBe('maxItemsPerCustomer');
    expect(refusal({ ...base, maxLength: 0 })).toBe('maxLength');
    expect(refusal({ ...base, maxLength: 1000 })).toBe('maxLength');
    expect(refusal({ ...base, maxCandidates: 0 })).toBe('maxCandidates');
    expect(refusal({ ...base, threshold: 0.5 })).toBe('threshold');
    expect(refusal({ ...base, threshold: 'high' })).toBe('threshold');
    expect(refusal({ ...base, customerColumn: 'item_id' })).toBe('customerColumn');
    expect(refusal({ ...base, privacy: { mode: 'none' } })).toBe('privacy.mode');
    expect(refusal({ ...base, privacy: { epsilon: 0 } })).toBe('privacy.epsilon');
    expect(refusal({ ...base, privacy: { clip: 1 } })).toBe('privacy.clip');
    expect(refusal({ ...base, secure: { mode: 'sealed' } })).toBe('secure.mode');
    expect(refusal({ ...base, minParticipants: 1 })).toBe('minParticipants');
    expect(() => parseCatalogueSpec({ ...base, privacy: { mode: 'none' } })).toThrow(
      /privacy\.mode: must be "distributed": a catalogue job always adds noise/,
    );
  });

  it('refuses a threshold a lone customer clears with probability above 1e-9, naming the least it may be', () => {
    // Every round's sum carries at least z sqrt(maxItemsPerCustomer) customers of noise: 6 of those above 1.
    for (const change of [{}, { privacy: { epsilon: 1 }, maxItemsPerCustomer: 2 }]) {
      const s = parseCatalogueSpec({ ...base, ...change });
      const least = 1 + 6 * catalogueMultiplier(s).z * Math.sqrt(s.maxItemsPerCustomer);
      expect(refusal({ ...base, ...change, threshold: 2 })).toBe('threshold');
      expect(refusal({ ...base, ...change, threshold: least * 0.99 })).toBe('threshold');
      expect(parseCatalogueSpec({ ...base, ...change, threshold: least }).threshold).toBe(least);
    }
    expect(() => parseCatalogueSpec({ ...base, threshold: 2 })).toThrow(
      /threshold: 2 is below 54\.9 \(1 \+ 6 x 2\.84\d x sqrt\(maxItemsPerCustomer 10\)\).*raise it to 54\.9 or more/,
    );
  });
});
