// Issue 17's Must show, the longer item: a federated MLP on digits under label skew against the same MLP trained
// centrally for the same epochs (participants inline, plaintext aggregation). The other items are in
// demo-must-show.test.ts; the figures for every seed are in docs/benchmarks.md ("Models and strategies (issue 17)").
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../src/demo/run-demo.js';

const digits = fileURLToPath(new URL('../../../examples/data/digits.csv', import.meta.url));

describe("issue 17's Must show: digits MLP (demo federation, participants inline)", () => {
  it('digits, 5 participants, Dirichlet(0.5): the MLP within 0.02 of centralised, above local-only', async () => {
    const r = await runDemo({
      participants: 5,
      testFraction: 0.2,
      batchSize: 32,
      localEpochs: 1,
      runtime: 'inline',
      progress: false,
      secure: 'none',
      data: digits,
      label: 'digit',
      model: 'mlp',
      hidden: [64, 32],
      split: 'dirichlet:0.5',
      rounds: 40,
      learningRate: 0.2,
      seed: 2,
    });
    expect(r.model).toMatchObject({ kind: 'mlp', task: 'multiclass', hidden: [64, 32] });
    // Centralised: the same MLP on the pooled training rows for 40 epochs (rounds × local epochs).
    expect(r.centralized.accuracy).toBeGreaterThan(0.93);
    expect(Math.abs(r.federated.accuracy - r.centralized.accuracy)).toBeLessThanOrEqual(0.02);
    expect(r.federated.accuracy - r.localOnlyMean.accuracy).toBeGreaterThan(0.15);
  });
});
