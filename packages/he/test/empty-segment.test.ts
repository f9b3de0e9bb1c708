// An empty segment (no rows: an all-zero feature sum) scores to an encryption of 0 that adds to the others.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSeal, ScoreAccumulator, ScoringAnalyst, ScoringParticipant } from '../src/index.js';

describe('encrypted scoring of an empty segment', () => {
  beforeAll(async () => {
    await loadSeal();
  });

  it('encrypts 0 without a SEAL error, at the level and scale of a non-empty segment, so they add', () => {
    const analyst = ScoringAnalyst.create({ weights: [1.5, -2, 0.25] });
    const participant = new ScoringParticipant(analyst.request);
    const total = new ScoreAccumulator(analyst.request.params);
    try {
      const empty = participant.scoreSegment(new Float64Array(2), 0);
      expect(analyst.decrypt(empty).total).toBeCloseTo(0, 4);
      expect(analyst.decrypt(empty).count).toBeCloseTo(0, 4);
      expect(Number.isNaN(analyst.decrypt(empty).mean)).toBe(true);
      total.add(empty);
      total.add(participant.scoreSegment(Float64Array.of(4, 1), 2));
      // 1.5 * 4 - 2 * 1 + 0.25 * 2 = 4.5 over 2 rows
      const r = analyst.decrypt(total.result());
      expect(r.total).toBeCloseTo(4.5, 4);
      expect(r.count).toBeCloseTo(2, 4);
    } finally {
      participant.dispose();
      total.dispose();
    }
  });
});
