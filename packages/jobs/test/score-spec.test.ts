// The score job spec: at least 2 participants, and the privacy block of noised segment totals.
import { describe, expect, it } from 'vitest';
import { parseScoreSpec } from '../src/index.js';

const base = {
  kind: 'score',
  dataset: 'customers',
  label: 'churned',
  features: [{ name: 'spend', kind: 'numeric' }],
};

describe('parseScoreSpec', () => {
  it('refuses minParticipants 1, naming the field', () => {
    expect(() => parseScoreSpec({ ...base, minParticipants: 1 })).toThrow(/minParticipants.*at least 2, got 1/);
    expect(parseScoreSpec(base).minParticipants).toBe(2);
    expect(parseScoreSpec({ ...base, minParticipants: 3 }).minParticipants).toBe(3);
  });

  it('reads privacy with defaults, requires its clip, and names a bad field', () => {
    expect(parseScoreSpec(base).privacy).toBeUndefined();
    expect(parseScoreSpec({ ...base, privacy: { epsilon: 0.5, clip: 100 } }).privacy).toEqual({
      mode: 'distributed',
      epsilon: 0.5,
      delta: 1e-6,
      clip: 100,
      corruptFraction: 0,
    });
    expect(() => parseScoreSpec({ ...base, privacy: { epsilon: 1 } })).toThrow(/privacy.clip.*is required/);
    expect(() => parseScoreSpec({ ...base, privacy: { clip: 1, mode: 'central' } })).toThrow(
      /privacy.mode.*distributed or local/,
    );
    expect(() => parseScoreSpec({ ...base, privacy: { clip: 1, epsilon: 0 } })).toThrow(/privacy.epsilon/);
    expect(() => parseScoreSpec({ ...base, privacy: { clip: 1, sigma: 3 } })).toThrow(/privacy.sigma.*unknown field/);
  });
});
