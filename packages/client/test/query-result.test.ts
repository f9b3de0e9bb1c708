import { describe, expect, it } from 'vitest';
import { queryResultOf } from '../src/index.js';

const result = {
  query: 'SELECT COUNT(*) FROM orders',
  rows: [{ count: 12.3, stddev: { count: 1.1 }, ci95: { count: [10, 14.5] } }],
  suppressed: 0,
  privacy: { epsilon: 1, delta: 1e-6, mode: 'distributed' },
};

describe('a query result read from the coordinator or a file', () => {
  it('passes a well-formed result through', () => {
    expect(queryResultOf(JSON.parse(JSON.stringify(result)), 'result_json')).toEqual(result);
    const plain = { ...result, privacy: { epsilon: null, delta: null, mode: 'none' } };
    expect(queryResultOf(plain, 'result_json')).toEqual(plain);
  });

  it('names what is missing or mistyped', () => {
    expect(() => queryResultOf({ ...result, rows: 'x' }, 'r.json')).toThrow('r.json.rows: expected an array');
    expect(() => queryResultOf({ ...result, rows: [{ count: 1 }] }, 'r.json')).toThrow('r.json.rows[0].stddev');
    expect(() => queryResultOf({ ...result, privacy: undefined }, 'r.json')).toThrow('r.json.privacy');
    expect(() => queryResultOf({ ...result, privacy: { ...result.privacy, epsilon: '1' } }, 'r')).toThrow(
      'r.privacy.epsilon: expected a number or null',
    );
    expect(() => queryResultOf({ ...result, histograms: [] }, 'r')).toThrow('r.histograms: expected an object');
  });
});
