import { beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { foldedModel, loadSeal, ScoreAccumulator, ScoringAnalyst, ScoringParticipant } from '../src/index.js';

/** Uniform doubles in [lo, hi) from node:crypto. */
const uniform = (n: number, lo: number, hi: number) => {
  const b = randomBytes(4 * n);
  return Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * b.readUInt32LE(4 * i)) / 2 ** 32);
};

describe('encrypted scoring of a linear model (CKKS)', () => {
  beforeAll(async () => {
    await loadSeal();
  });

  it('folds the standardisation into the weights, and refuses a model that clamps standardised values', () => {
    const folded = foldedModel({ weights: [2, -1, 0.5], standardisation: { mean: [10, 4], std: [2, 0.5] } });
    // score = 2 (x1 - 10)/2 - (x2 - 4)/0.5 + 0.5 = x1 - 2 x2 + (0.5 - 10 + 8)
    expect([...folded]).toEqual([1, -2, -1.5]);
    expect(() => foldedModel({ weights: [1, 0], standardisation: { mean: [0], std: [1], clip: 6 } })).toThrow(
      /clamps standardised values at 6/,
    );
  });

  // CKKS error is absolute at the scale of the computation, so it is measured against the magnitude
  // sum |w_j| x_j of the inner products (a total that nearly cancels would make a plain relative error meaningless).
  it(
    'returns the same totals and means per segment as plaintext scoring, ' +
      'to 1e-6 of the magnitude of the computation, with only the sum decrypted',
    () => {
      const d = 30;
      const model = {
        weights: [...uniform(d, -1, 1), 0.3],
        standardisation: { mean: [...uniform(d, 0, 50)], std: [...uniform(d, 0.5, 20)] },
      };
      const analyst = ScoringAnalyst.create(model);
      const segments = ['new', 'returning'];
      const accumulators = segments.map(() => new ScoreAccumulator(analyst.request.params));
      const plain = segments.map(() => ({ total: 0, count: 0, magnitude: 0 }));
      const folded = foldedModel(model);
      try {
        for (let p = 0; p < 3; p++) {
          const participant = new ScoringParticipant(analyst.request);
          try {
            segments.forEach((_, s) => {
              const rows = 500 + 1000 * p + 300 * s;
              const rowSum = new Float64Array(d);
              for (let r = 0; r < rows; r++) {
                const x = uniform(d, 0, 100);
                for (let j = 0; j < d; j++) rowSum[j] += x[j];
                let score = folded[d];
                for (let j = 0; j < d; j++) score += folded[j] * x[j];
                plain[s].total += score;
              }
              plain[s].count += rows;
              plain[s].magnitude +=
                Math.abs(folded[d]) * rows + rowSum.reduce((m, v, j) => m + Math.abs(folded[j]) * v, 0);
              accumulators[s].add(participant.scoreSegment(rowSum, rows));
            });
          } finally {
            participant.dispose();
          }
        }
        segments.forEach((_, s) => {
          const got = analyst.decrypt(accumulators[s].result());
          expect(Math.abs(got.total - plain[s].total) / plain[s].magnitude).toBeLessThan(1e-6);
          expect(Math.abs(got.count - plain[s].count)).toBeLessThan(1e-3);
          expect(
            Math.abs(got.mean - plain[s].total / plain[s].count) / (plain[s].magnitude / plain[s].count),
          ).toBeLessThan(1e-6);
        });
      } finally {
        for (const a of accumulators) a.dispose();
      }
    },
  );
});

describe('encrypted scoring: what the analyst can decrypt', () => {
  it('holds the score in slot 0 only, with Galois keys for a short span (well under the message limit)', async () => {
    await loadSeal();
    const model = { weights: [1, 2, 3, 4, 5, 0.5] };
    const analyst = ScoringAnalyst.create(model);
    expect(analyst.request.span).toBe(8);
    expect(analyst.request.galoisKeys.length).toBeLessThan(4 * 1024 * 1024);
    const participant = new ScoringParticipant(analyst.request);
    const acc = new ScoreAccumulator(analyst.request.params);
    try {
      acc.add(participant.scoreSegment(Float64Array.of(10, 20, 30, 40, 50), 7));
      const totals = acc.result();
      expect(analyst.decrypt(totals).total).toBeCloseTo(10 + 40 + 90 + 160 + 250 + 3.5, 4);
      // Every other slot is (near) zero: no partial sums of the per-feature products leak.
      const { CkksDecryptor } = await import('../src/index.js');
      const keys = (analyst as unknown as { keys: { secretKeyBytes(): Uint8Array } }).keys;
      const dec = new CkksDecryptor(analyst.request.params, keys.secretKeyBytes());
      try {
        const slots = dec.decrypt(totals.score, 16);
        for (let i = 1; i < 16; i++) expect(Math.abs(slots[i])).toBeLessThan(1e-3);
      } finally {
        dec.dispose();
      }
    } finally {
      participant.dispose();
      acc.dispose();
    }
  });
});
