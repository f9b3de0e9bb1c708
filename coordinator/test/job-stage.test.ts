import { describe, expect, it } from 'vitest';
import { stageOf } from '../src/jobs/job-context.js';

describe("a training job's stage is stored, not inferred", () => {
  it('uses the stored stage whatever else the context holds', () => {
    expect(stageOf({ stage: 'payout' })).toBe('payout');
    expect(stageOf({ stage: 'statistics', schema: { label: 'y', features: [] } })).toBe('statistics');
    expect(stageOf({ stage: 'done' })).toBe('done');
  });

  it('reads the stage of a job stored before stages were, from what its context holds', () => {
    expect(stageOf({})).toBe('schema');
    expect(stageOf({ schema: { label: 'y', features: [] } })).toBe('statistics');
    expect(stageOf({ schema: { label: 'y', features: [] }, standardisation: { mean: [], std: [], count: 0 } })).toBe(
      'training',
    );
  });
});

describe('job kinds sit behind one registry', () => {
  it("dispatches by the spec's kind (train when absent) and names the known kinds otherwise", async () => {
    const { jobKindOf } = await import('../src/jobs/kinds/registry.js');
    expect(jobKindOf({ dataset: 'd', label: 'y' }).name).toBe('train');
    const kinds = ['train', 'query', 'score', 'overlap', 'vertical', 'vertical-score', 'recommend', 'catalogue'];
    for (const k of kinds) expect(jobKindOf({ kind: k }).name).toBe(k);
    expect(() => jobKindOf({ kind: 'horizontal' })).toThrow(
      /kind: must be one of train, query, score, overlap, vertical, vertical-score, recommend, catalogue, got "horiz/,
    );
  });
});
