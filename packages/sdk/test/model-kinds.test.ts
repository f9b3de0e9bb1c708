// Every model kind trains through the real coordinator and participants (gRPC on loopback, SecAgg+ masking): the
// job names the model, participants encode the label for its task, and the result scores held-out rows.
import { leastSquaresR2 } from '@tessera/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readCsvFile, selectRows, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation, modelFileFrom, scoreTable } from '../src/index.js';
import { attachSealed } from '../../client/src/sealed/sealed-analyst.js';
import { createAnalystKeys, type AnalystKeys } from '../../client/src/sealed/analyst-keys.js';
import { EXAMPLE_DATA, tempDir } from './helpers.js';

/** Rows dealt round-robin after a seeded shuffle: `parts` shards and a held-out test table of a fifth. */
function dealt(file: string, parts: number, seed: string) {
  const table = readCsvFile(join(EXAMPLE_DATA, file));
  const order = Uint32Array.from(table.rows.keys());
  seededRandom(seed).shuffle(order);
  const test = Math.round(order.length / 5);
  const shards = Array.from({ length: parts }, (_, p) =>
    selectRows(
      table,
      [...order.subarray(test)].filter((_, i) => i % parts === p),
    ),
  );
  return { table, test: selectRows(table, [...order.subarray(0, test)]), shards: shards as RawTable[] };
}

const runs: LocalFederation[] = [];
const tmp = tempDir();
afterAll(async () => {
  for (const f of runs) await f.stop();
  tmp.cleanup();
});

async function federation(file: string, name: string, analystKeys?: AnalystKeys) {
  const data = dealt(file, 3, name);
  const fed = await LocalFederation.start({
    dir: join(tmp.dir, name),
    shards: data.shards,
    runtime: 'inline',
    ...(analystKeys ? { analystKeys } : {}),
  });
  runs.push(fed);
  return { fed, data };
}

describe('model kinds through the coordinator and participants', () => {
  it('softmax on wine (3 classes) with FedAdam: high held-out accuracy, macro-F1 per round', async () => {
    const { fed, data } = await federation('wine.csv', 'wine');
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'cultivar',
      model: { kind: 'softmax', classes: ['0', '1', '2'] },
      strategy: { name: 'fedadam' },
      rounds: 8,
      minParticipants: 3,
      seed: 1,
    });
    const final = await fed.analyst.watch(job.id);
    expect(final.status, final.error).toBe('completed');
    const last = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed').at(-1)!;
    expect(last.metrics.macroF1).toBeGreaterThan(0.85);
    const result = await fed.analyst.result(job.id);
    expect(result.weights.length).toBe(3 * 14);
    const scored = scoreTable(modelFileFrom(result), data.test);
    expect(scored.taskMetrics).toMatchObject({ task: 'multiclass' });
    expect((scored.taskMetrics as { accuracy: number }).accuracy).toBeGreaterThan(0.9);
  });

  it('linear regression on diabetes: held-out R² within 0.02 of the pooled least-squares solution', async () => {
    const { fed, data } = await federation('diabetes.csv', 'diabetes');
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'progression',
      model: { kind: 'linear', labelRange: [0, 400], l2: 0 },
      local: { epochs: 2, learningRate: 0.05 },
      rounds: 25,
      minParticipants: 3,
      seed: 2,
    });
    const final = await fed.analyst.watch(job.id);
    expect(final.status, final.error).toBe('completed');
    const file = modelFileFrom(await fed.analyst.result(job.id));
    const scored = scoreTable(file, data.test);
    const r2 = (scored.taskMetrics as { r2: number }).r2;
    const ols = leastSquaresR2(data.shards, data.test, 'progression');
    expect(Math.abs(r2 - ols), `federated ${r2} vs least squares ${ols}`).toBeLessThan(0.02);
    // The round's metrics are in label units (the progression score's RMSE is about 55).
    const last = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed').at(-1)!;
    expect(last.metrics.rmse).toBeGreaterThan(30);
    expect(last.metrics.rmse).toBeLessThan(90);
    // A wide public range (a price in cents, say) keeps the masked evaluation's sums in range: they are over the
    // scaled label, so the job completes and still reports label units.
    const wide = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          dataset: 'customers',
          label: 'progression',
          model: { kind: 'linear', labelRange: [0, 1e6] },
          rounds: 2,
          minParticipants: 3,
        })
      ).id,
    );
    expect(wide.status, wide.error).toBe('completed');
    expect(wide.history.filter((h) => h.stage === 'fit').at(-1)!.metrics.rmse).toBeGreaterThan(30);
  });

  it('an MLP on digits (10 classes) learns; record-level DP (distributed, epsilon 8) runs for every kind', async () => {
    const { fed, data } = await federation('digits.csv', 'digits');
    const classes = Array.from({ length: 10 }, (_, i) => String(i));
    const mlp = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          dataset: 'customers',
          label: 'digit',
          model: { kind: 'mlp', hidden: [32], classes },
          local: { optimiser: 'adam', learningRate: 0.01, epochs: 2 },
          rounds: 5,
          minParticipants: 3,
          seed: 3,
        })
      ).id,
    );
    expect(mlp.status, mlp.error).toBe('completed');
    const scored = scoreTable(modelFileFrom(await fed.analyst.result(mlp.id)), data.test);
    expect((scored.taskMetrics as { accuracy: number }).accuracy).toBeGreaterThan(0.85);
    for (const model of [
      { kind: 'softmax', classes },
      { kind: 'mlp', hidden: [16], classes },
    ]) {
      const dp = await fed.analyst.watch(
        (
          await fed.analyst.submit({
            dataset: 'customers',
            label: 'digit',
            model,
            rounds: 3,
            minParticipants: 3,
            local: { learningRate: 1 },
            privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
          })
        ).id,
      );
      expect(dp.status, `${model.kind}: ${dp.error}`).toBe('completed');
      expect(dp.privacy?.spentEpsilon ?? 0).toBeLessThanOrEqual(8 + 1e-9);
    }
  });

  it('sealed mode: a softmax model trains with only the analyst decrypting its sums', async () => {
    const keys = await createAnalystKeys();
    const { fed, data } = await federation('wine.csv', 'wine-sealed', keys);
    const job = await fed.analyst.submit(
      {
        dataset: 'customers',
        label: 'cultivar',
        model: { kind: 'softmax', classes: ['0', '1', '2'] },
        rounds: 5,
        minParticipants: 3,
        seed: 4,
      },
      { sealed: keys },
    );
    const [final] = await Promise.all([fed.analyst.watch(job.id), attachSealed(fed.analyst, job.id, keys)]);
    expect(final.status, final.error).toBe('completed');
    const scored = scoreTable(modelFileFrom(await fed.analyst.result(job.id)), data.test);
    expect((scored.taskMetrics as { accuracy: number }).accuracy).toBeGreaterThan(0.85);
  });
});

describe('a bring-your-own TensorFlow.js model as a job', () => {
  it('trains from its topology alone: nodes rebuild it running no job code; it scores like the MLP', async () => {
    const { tfl, topologyOf } = await import('@tessera/tfjs');
    const layers = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [13], units: 8, activation: 'relu' }),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const topology = topologyOf(layers);
    layers.dispose();
    const { fed, data } = await federation('wine.csv', 'wine-tfjs');
    const classes = ['0', '1', '2'];
    const wrong5 = () => {
      const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 3, activation: 'softmax' })] });
      return m;
    };
    const spec = {
      dataset: 'customers',
      label: 'cultivar',
      rounds: 6,
      minParticipants: 3,
      seed: 5,
      local: { optimiser: 'adam', learningRate: 0.02, epochs: 2 },
    };
    const tfjs = await fed.analyst.watch(
      (await fed.analyst.submit({ ...spec, model: { kind: 'tfjs', topology, classes: ['0', '1', '2'] } })).id,
    );
    expect(tfjs.status, tfjs.error).toBe('completed');
    const mlp = await fed.analyst.watch(
      (await fed.analyst.submit({ ...spec, model: { kind: 'mlp', hidden: [8], classes: ['0', '1', '2'] } })).id,
    );
    expect(mlp.status, mlp.error).toBe('completed');
    const accuracy = (j: typeof tfjs) =>
      j.history.filter((h) => h.stage === 'fit' && h.status === 'completed').at(-1)!.metrics.accuracy!;
    expect(accuracy(tfjs)).toBeGreaterThan(0.85);
    // Record-level DP (distributed, epsilon 8): per-record gradients through tfjs, one row at a time.
    const dp = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          ...spec,
          rounds: 2,
          local: { learningRate: 1 },
          model: { kind: 'tfjs', topology, classes },
          privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
        })
      ).id,
    );
    expect(dp.status, dp.error).toBe('completed');
    expect(Math.abs(accuracy(tfjs) - accuracy(mlp))).toBeLessThan(0.1);

    // A topology whose input does not fit the agreed features fails before training, naming the field.
    const wrong = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [5], units: 3, activation: 'softmax' })] });
    const bad = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          ...spec,
          model: { kind: 'tfjs', topology: topologyOf(wrong), classes: ['0', '1', '2'] },
        })
      ).id,
    );
    wrong.dispose();
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/model\.topology: the tfjs model takes 5 inputs, but the agreed features encode to 13/);

    // Refused at submission, naming the field: features listed that the input cannot take, a head that does not fit
    // the classes, an unknown strategy option, too many classes for a binary model.
    const features = data.table.columns.filter((c) => c !== 'cultivar');
    await expect(
      fed.analyst.submit({ ...spec, features, model: { kind: 'tfjs', topology: topologyOf(wrong5()), classes } }),
    ).rejects.toThrow(/model\.topology: the tfjs model takes 5 inputs, but the listed features encode to at least 13/);
    await expect(
      fed.analyst.submit({ ...spec, model: { kind: 'tfjs', topology, classes: ['0', '1', '2', '3'] } }),
    ).rejects.toThrow(/model\.topology: .*classes 4 must be >= 2 and equal the model's output width 3/);
    await expect(fed.analyst.submit({ ...spec, strategy: { name: 'fedyogi', momentum: 0.9 } })).rejects.toThrow(
      /strategy\.momentum: unknown field/,
    );
    await expect(fed.analyst.submit({ ...spec, model: { kind: 'logistic', classes } })).rejects.toThrow(
      /model\.classes: lists 3 classes, but a logistic model for a binary task predicts 2/,
    );
  });
});
