// Recommend spec fields the library would refuse at run time are refused at submission, naming the field.
import { describe, expect, it } from 'vitest';
import { JobSpecError, parseRecommendSpec } from '@tessera/jobs';
import { algorithmFromSpec } from '@tessera/recommend';

const base = { name: 'r', kind: 'recommend', dataset: 'orders', catalogue: { items: ['a', 'b', 'c', 'd'] } };

describe('recommend spec bounds', () => {
  it('refuses ALS lambda 0 (its normal equations need lambda > 0), naming model.lambda; BPR may take 0', () => {
    const als = () => parseRecommendSpec({ ...base, model: { algorithm: 'als', k: 2, lambda: 0 } });
    expect(als).toThrow(JobSpecError);
    expect(als).toThrow(/model\.lambda.*greater than 0/);
    // The spec the parser accepts is one the library runs.
    const small = parseRecommendSpec({ ...base, model: { algorithm: 'als', k: 2, lambda: 1e-6 } });
    expect(algorithmFromSpec(small.model).name).toBe('als');
    const bpr = parseRecommendSpec({ ...base, model: { algorithm: 'bpr', k: 2, lambda: 0 } });
    expect(algorithmFromSpec(bpr.model).name).toBe('bpr');
  });
});
