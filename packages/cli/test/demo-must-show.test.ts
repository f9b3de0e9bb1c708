// Issue 17's Must show, as demo federations (participants inline, plaintext aggregation for speed: masked rounding
// moves the model by about 1e-4). Seeds and sizes were checked over 5 to 8 seeds; docs/benchmarks.md ("Models and
// strategies (issue 17)") has the figures for every seed and the `tessera demo --json` runs.
import { leastSquaresR2 } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { selectRows, trainTestSplit } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { loadDemoData } from '../src/demo/demo-data.js';
import { demoOptions, example } from './demo-options.js';
import { runDemo, type DemoResult } from '../src/demo/run-demo.js';

const base = demoOptions({
  participants: 5,
  secure: 'none',
});

/** The first round (1-based) whose federated evaluation accuracy reaches `target`, or Infinity if none does. */
function roundsToTarget(r: DemoResult, target: number): number {
  const i = r.history.findIndex((h) => (h.accuracy ?? 0) >= target);
  return i < 0 ? Number.POSITIVE_INFINITY : r.history[i]!.round;
}

describe("issue 17's Must show (demo federations, participants inline)", () => {
  it('digits, 5 participants, Dirichlet(0.5): the MLP within 0.02 of centralised, above local-only', async () => {
    const r = await runDemo({
      ...base,
      data: example('digits'),
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

  it('wine: softmax regression within 0.02 accuracy of centralised', async () => {
    const r = await runDemo({
      ...base,
      data: example('wine'),
      label: 'cultivar',
      model: 'softmax',
      split: 'iid',
      seed: 3,
    });
    expect(r.model?.kind).toBe('softmax');
    expect(r.centralized.accuracy).toBeGreaterThan(0.9);
    // 36 held-out rows: one row is 0.028, so this asks for as many rows right as the centralised model.
    expect(Math.abs(r.federated.accuracy - r.centralized.accuracy)).toBeLessThanOrEqual(0.02);
  });

  it('diabetes: linear regression within 0.02 R² of the closed-form pooled least squares', async () => {
    const seed = 4;
    const o = { ...base, data: example('diabetes'), label: 'progression', model: 'linear' as const, seed };
    const r = await runDemo({ ...o, task: 'regression', split: 'iid', rounds: 40 });
    // The demo's own train/test split (same seed, same stream), fitted in closed form.
    const data = loadDemoData({ ...o, task: 'regression' });
    const rng = seededRandom(`tessera-demo/${seed}`);
    const { train, test } = trainTestSplit(data.table.rows.length, base.testFraction, rng, data.labels);
    const ols = leastSquaresR2([selectRows(data.table, train)], selectRows(data.table, test), 'progression');
    expect(ols).toBeGreaterThan(0.4);
    expect(Math.abs(r.federated.r2! - ols), `federated ${r.federated.r2} vs least squares ${ols}`).toBeLessThan(0.02);
  });

  it('digits, Dirichlet(0.1): FedAdam reaches 0.9 evaluation accuracy in fewer rounds than FedAvg', async () => {
    const common = {
      ...base,
      data: example('digits'),
      label: 'digit',
      model: 'mlp' as const,
      hidden: [64, 32],
      split: 'dirichlet:0.1',
      rounds: 15,
      seed: 2,
    };
    // The rounds' accuracy is the federated evaluation (the participants' validation rows, pooled): the demo has no
    // per-round test accuracy. FedAvg at its standard server learning rate 1; FedAdam at 0.03, from the grid 0.003 to
    // 0.1 (0.1 is faster still but ends lower). A FedAvg tuned the same way (server lr 2) closes most of the gap: see
    // docs/benchmarks.md.
    const fedavg = await runDemo({ ...common, strategy: 'fedavg' });
    const fedadam = await runDemo({ ...common, strategy: 'fedadam', strategyOptions: { serverLearningRate: 0.03 } });
    expect(fedadam.strategy).toEqual({ name: 'fedadam', options: { serverLearningRate: 0.03 } });
    const [avg, adam] = [roundsToTarget(fedavg, 0.9), roundsToTarget(fedadam, 0.9)];
    expect(adam, `rounds to 0.9: fedadam ${adam}, fedavg ${avg}`).toBeLessThan(avg);
    expect(avg - adam).toBeGreaterThanOrEqual(3);
  });
});
