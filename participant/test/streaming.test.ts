// The streaming path (data sets beyond the cell budget) against the in-memory path on the same generated data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, encodeTable, featureNames, type AgreedSchema } from '@tessera/data';
import { LocalEngine } from '@tessera/engine';
import { auc, metricSums, standardisationFrom, standardise, takeRows } from '@tessera/ml';
import { columnProfileToProto, tessera } from '@tessera/proto';
import { agreedSchemaOf, schemaReport } from '../src/local-compute.js';
import { LocalData } from '../src/local-data.js';
import { localEvaluate, localFit, localStatistics } from '../src/streaming/compute.js';
import { validationRows } from '../src/streaming/validation-split.js';
import { modelOfTask } from '../src/training-model.js';
import { coupledRandomness } from './coupled-randomness.js';

const pb = tessera.v1;
const ROWS = 50_000;
const HOLDOUT = 10_000;
const TINY_BUDGET = 1000;

/** Rows i in [from, to): three numbers, a category and a binary label drawn from a logistic model of them. */
function ordersSql(from: number, to: number, extra = ''): string {
  const u = (k: number) => `((hash(i * 8 + ${k}) % 1000003) / 1000003.0)`;
  return `
    SELECT x1, x2, visits, region,
      CASE WHEN ${u(5)} < 1 / (1 + exp(-(1.5 * x1 - 0.3 * x2 + 0.04 * visits
        + CASE region WHEN 'north' THEN 0.8 WHEN 'south' THEN -0.8 ELSE 0 END + 1))) THEN 'yes' ELSE 'no' END AS label
    FROM (
      SELECT i, round(${u(1)} * 4 - 2, 4) AS x1, round(${u(2)} * 10, 3) AS x2,
        CAST(${u(3)} * 50 AS INTEGER) AS visits,
        ['north', 'south', 'east', 'west'][1 + CAST(floor(${u(4)} * 4) AS INTEGER)] AS region
      FROM range(${from}, ${to}) t(i) ${extra}
    ) ORDER BY i`;
}

let dir: string;
const files = { parquet: '', csv: '', holdout: '', broken: '' };
const opened: LocalData[] = [];

async function openData(path: string, type: 'csv' | 'parquet', cellBudget?: number): Promise<LocalData> {
  const data = new LocalData({ orders: { type, path, exclude: [] } }, cellBudget ? { cellBudget } : {});
  opened.push(data);
  await data.open();
  // opening summarises a large data set's columns
  expect(data.hasSummaries('orders')).toBe(!data.inMemory('orders'));
  return data;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-streaming-'));
  files.parquet = join(dir, 'orders.parquet');
  files.csv = join(dir, 'orders.csv');
  files.holdout = join(dir, 'holdout.parquet');
  files.broken = join(dir, 'broken.parquet');
  const engine = await LocalEngine.open();
  try {
    const c = engine.connection;
    await c.run(`COPY (${ordersSql(0, ROWS)}) TO '${files.parquet}' (FORMAT parquet)`);
    await c.run(`COPY (${ordersSql(0, ROWS)}) TO '${files.csv}' (FORMAT csv, HEADER)`);
    await c.run(`COPY (${ordersSql(ROWS, ROWS + HOLDOUT)}) TO '${files.holdout}' (FORMAT parquet)`);
    // x2 as text, with one word in row 40001
    await c.run(
      `COPY (SELECT x1, CASE WHEN row_number() OVER () = 40001 THEN 'many' ELSE CAST(x2 AS VARCHAR) END AS x2, ` +
        `visits, region, label FROM (${ordersSql(0, ROWS)})) TO '${files.broken}' (FORMAT parquet)`,
    );
  } finally {
    await engine.close();
  }
}, 60_000);

afterAll(async () => {
  for (const d of opened) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

const baseTask = (o: Partial<tessera.v1.ITask> = {}): tessera.v1.ITask => ({
  ref: { jobId: 'job-s', round: 1 },
  dataset: 'orders',
  label: 'label',
  ...o,
});

/** The task of a training job on the agreed schema, standardised by the in-memory statistics. */
async function trainingTask(memory: LocalData, training: tessera.v1.ITrainingConfig): Promise<tessera.v1.ITask> {
  const schema = schemaReport(memory, baseTask());
  const features = schema.columns.map((c) => columnProfileToProto(c));
  const stats = await localStatistics(memory, baseTask({ features }));
  const d = (stats.vector!.length - 1) / 2;
  const s = standardisationFrom({
    count: stats.vector![0]!,
    sum: stats.vector!.slice(1, d + 1),
    sumSquares: stats.vector!.slice(d + 1),
  });
  return baseTask({
    features,
    modelLength: d + 1,
    mean: Array.from(s.mean),
    std: Array.from(s.std),
    training: { seed: 'seed-s', validationFraction: 0.2, ...training },
  });
}

function relativeClose(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!));
    expect(Math.abs(a[i]! - b[i]!) / scale).toBeLessThanOrEqual(tolerance);
  }
}

describe('streamed training stages equal the in-memory ones', () => {
  for (const type of ['parquet', 'csv'] as const) {
    it(`${type}: the schema and the statistics are the same`, async () => {
      const memory = await openData(files[type], type);
      const large = await openData(files[type], type, TINY_BUDGET);
      expect(memory.inMemory('orders')).toBe(true);
      expect(large.inMemory('orders')).toBe(false);
      const schema = schemaReport(large, baseTask());
      expect(schema).toEqual(schemaReport(memory, baseTask()));
      expect(schema.rows).toBe(ROWS);
      expect(schema.columns.find((c) => c.name === 'region')).toEqual({
        name: 'region',
        kind: 'categorical',
        categories: ['east', 'north', 'south', 'west'],
      });
      // features chosen by the task, and the owner's exclude
      const chosen = baseTask({ features: [{ name: 'visits' }, { name: 'x1' }], exclude: ['x1'] });
      expect(schemaReport(large, chosen)).toEqual(schemaReport(memory, chosen));

      const task = baseTask({ features: schema.columns.map((c) => columnProfileToProto(c)) });
      const streamed = await localStatistics(large, task);
      const inMemory = await localStatistics(memory, task);
      expect(streamed.numExamples).toBe(ROWS);
      expect(streamed.vector![0]).toBe(inMemory.vector![0]);
      expect(streamed.vector!.length).toBe(1 + 2 * featureNames(agreedSchemaOf(task)).length);
      // one-hot columns are counts: exact
      relativeClose(streamed.vector!, inMemory.vector!, 1e-9);
    }, 60_000);
  }

  it('a fit over the scan is as good as the in-memory fit, and evaluate adds up over batches', async () => {
    const memory = await openData(files.parquet, 'parquet');
    const large = await openData(files.parquet, 'parquet', TINY_BUDGET);
    const holdout = await openData(files.holdout, 'parquet');
    const task = await trainingTask(memory, { epochs: 2, batchSize: 64, learningRate: 0.1 });
    const d = task.modelLength! - 1;
    const global = new Float64Array(d + 1);

    const streamed = await localFit(large, task, global, 'p1');
    const inMemory = await localFit(memory, task, global, 'p1');
    const isValidation = validationRows('seed-s/p1', 0.2);
    let validation = 0;
    for (let i = 0; i < ROWS; i++) if (isValidation(i)) validation++;
    expect(validation / ROWS).toBeGreaterThan(0.19);
    expect(validation / ROWS).toBeLessThan(0.21);
    expect(streamed.numExamples).toBe(ROWS - validation);
    expect(streamed.vector!.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(streamed.metrics.train_loss)).toBe(true);

    // both models on held-out rows
    const schema: AgreedSchema = agreedSchemaOf(task);
    const encoded = encodeTable(holdout.table('orders'), schema);
    const z = standardise(encoded, { mean: Float64Array.from(task.mean!), std: Float64Array.from(task.std!) });
    const heldOut = (delta: Float64Array) => {
      const w = global.map((g, j) => g + delta[j]!);
      const p = new Float64Array(z.n);
      for (let i = 0; i < z.n; i++) {
        let s = w[d]!;
        for (let j = 0; j < d; j++) s += w[j]! * z.x[i * d + j]!;
        p[i] = 1 / (1 + Math.exp(-s));
      }
      return auc(encoded.y, p);
    };
    const aucStreamed = heldOut(streamed.vector!);
    const aucMemory = heldOut(inMemory.vector!);
    expect(aucMemory).toBeGreaterThan(0.7);
    expect(Math.abs(aucStreamed - aucMemory)).toBeLessThan(0.02);

    // evaluate: the streamed sums are metricSums over the same validation rows taken in memory
    const params = global.map((g, j) => g + streamed.vector![j]!);
    const evaluated = await localEvaluate(large, task, params, 'p1');
    expect(evaluated.numExamples).toBe(validation);
    const all = encodeTable(memory.table('orders'), schema);
    const rows: number[] = [];
    for (let i = 0; i < ROWS; i++) if (isValidation(i)) rows.push(i);
    const zAll = standardise(all, { mean: Float64Array.from(task.mean!), std: Float64Array.from(task.std!) });
    const expected = metricSums(modelOfTask(task, d), params, takeRows({ ...zAll, y: all.y }, rows));
    relativeClose(evaluated.evaluation!.sums, expected, 1e-9);
    expect(evaluated.metrics.auc).toBeGreaterThan(0.7);
  }, 120_000);

  it('differentially private releases select the same rows as in memory', async () => {
    const memory = await openData(files.parquet, 'parquet');
    const large = await openData(files.parquet, 'parquet', TINY_BUDGET);
    const base = await trainingTask(memory, {});
    const d = base.modelLength! - 1;
    const plan: tessera.v1.IPrivacyPlan = {
      mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
      unit: pb.PrivacyPlan.Unit.RECORD,
      noiseMultiplier: 1,
      sampleRate: 1,
      rounds: 5,
      fullReleases: 2,
      epsilon: 4,
      delta: 1e-5,
    };
    const statistics = baseTask({
      features: base.features!,
      privacyPlan: plan,
      bounds: new Array(d).fill(100),
      statistics: { part: pb.StatisticsRelease.Part.MOMENTS, level: 1000, maxRecords: 5000 },
    });
    const a = await localStatistics(large, statistics, coupledRandomness('r'));
    const b = await localStatistics(memory, statistics, coupledRandomness('r'));
    expect(a.numExamples).toBe(5000);
    expect(Array.from(a.vector!)).toEqual(Array.from(b.vector!));

    const record = { ...base, privacyPlan: plan, training: { recordDp: { clip: 1, level: 1000, maxRecords: 3000 } } };
    const global = new Float64Array(d + 1).fill(0.01);
    const fa = await localFit(large, record, global, 'p1', coupledRandomness('f'));
    const fb = await localFit(memory, record, global, 'p1', coupledRandomness('f'));
    expect(fa.numExamples).toBe(3000);
    expect(fa.integer).toBe(true);
    expect(Array.from(fa.vector!)).toEqual(Array.from(fb.vector!));
  }, 60_000);

  it('a private release over more rows than the node selects in memory is refused, naming the budget', async () => {
    const path = join(dir, 'million.parquet');
    const engine = await LocalEngine.open();
    try {
      await engine.connection.run(`COPY (${ordersSql(0, 1_000_000)}) TO '${path}' (FORMAT parquet)`);
    } finally {
      await engine.close();
    }
    const memory = await openData(files.parquet, 'parquet');
    const large = await openData(path, 'parquet', TINY_BUDGET);
    const base = await trainingTask(memory, {});
    const task = baseTask({
      features: base.features!,
      bounds: new Array(base.modelLength! - 1).fill(100),
      statistics: { part: pb.StatisticsRelease.Part.MOMENTS, level: 1000, maxRecords: 1_000_000 },
    });
    const refusal = await localStatistics(large, task, coupledRandomness('r')).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(DataError);
    expect((refusal as Error).message).toBe(
      `${path}: data set "orders": a private release over 1000000 of its 1000000 rows (maxRecords 1000000) x 5 ` +
        'columns is more than the 4194304 cells this node selects in memory; ask for a maxRecords of at most 838860',
    );
  }, 60_000);

  it('a bad cell beyond the budget is the same DataError as in memory, naming the row', async () => {
    const memory = await openData(files.broken, 'parquet');
    const large = await openData(files.broken, 'parquet', TINY_BUDGET);
    const error = (data: LocalData) => {
      try {
        schemaReport(data, baseTask());
      } catch (err) {
        return err;
      }
      throw new Error('no error');
    };
    const streamed = error(large);
    expect(streamed).toBeInstanceOf(DataError);
    expect((streamed as Error).message).toBe((error(memory) as Error).message);
    expect((streamed as Error).message).toMatch(/row 40001, column "x2": "many" is not a number/);
  }, 60_000);
});
