import { describe, expect, it } from 'vitest';
import { parseContext, stageOf } from '../src/jobs/job-context.js';

// Job contexts live in the coordinator's SQLite store, so a database written before issue 13 holds the
// US spelling `standardization`: such a job must resume where it stopped.
const statistics = { mean: [1, 2], std: [0.5, 3], count: 40, contributors: 3, clip: 6 };
const schema = { label: 'y', features: [] };

describe('a stored job context', () => {
  it('loads a context stored with the old key standardization, as standardisation', () => {
    const context = parseContext(JSON.stringify({ schema, standardization: statistics, featureNames: ['a', 'b'] }));
    expect(context.standardisation).toEqual(statistics);
    expect(context.featureNames).toEqual(['a', 'b']);
    expect(stageOf(context)).toBe('training');
  });

  it('writes the British key back: a saved context holds standardisation only', () => {
    const saved = JSON.parse(JSON.stringify(parseContext(JSON.stringify({ schema, standardization: statistics }))));
    expect(saved).toEqual({ schema, standardisation: statistics });
  });

  it('reads the British key, and prefers it should both be present', () => {
    const newer = { ...statistics, count: 41 };
    expect(parseContext(JSON.stringify({ standardisation: newer })).standardisation).toEqual(newer);
    expect(parseContext(JSON.stringify({ standardisation: newer, standardization: statistics }))).toEqual({
      standardisation: newer,
    });
  });

  it('is empty for a job with no context yet', () => {
    expect(parseContext('')).toEqual({});
  });
});
