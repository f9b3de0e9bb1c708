// Model files: version 1 still scores as before; version 2 round trips every kind; damaged files are refused.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTable, readCsvFile } from '@tessera/data';
import { evaluateBinary, predictProba, standardise } from '@tessera/ml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFile, saveModelFile, scoreCsv, scoreTable, type ModelFileV1 } from '../src/index.js';
import { diabetesLinear, digitsMlp, exampleCsv, trainedModelFile, wineSoftmax } from './trained-model-file.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-model-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function written(content: unknown): string {
  const path = join(dir, `model-${count++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A version 1 file written by hand, as `tessera job result --out` wrote them before version 2. */
function v1File(): ModelFileV1 {
  const table = readCsvFile(exampleCsv('breast_cancer.csv'));
  const names = table.columns.filter((c) => c !== 'benign').slice(0, 4);
  return {
    format: 'tessera-model',
    version: 1,
    type: 'logistic',
    label: 'benign',
    features: names.map((name) => ({ name, kind: 'numeric' })),
    featureNames: names,
    standardization: { mean: [14, 19, 92, 650], std: [3.5, 4.3, 24, 350] },
    weights: [-1.2, -0.8, -0.9, -1.1, 0.6],
    job: { id: 'j1', name: 'benign', round: 10, metrics: {} },
  };
}

describe('a version 1 model file', () => {
  it('loads and scores exactly as before version 2', () => {
    const v1 = v1File();
    const loaded = loadModelFile(written(v1));
    expect(loaded).toEqual(v1);
    const csv = exampleCsv('breast_cancer.csv');
    const s = scoreCsv(loaded, csv);
    // What scoreTable computed for version 1 files: predictProba and evaluateBinary on the standardised rows.
    const enc = encodeTable(readCsvFile(csv), { label: v1.label, features: v1.features });
    const z = standardise(enc, {
      mean: Float64Array.from(v1.standardization.mean),
      std: Float64Array.from([3.5, 4.3, 24, 350]),
    });
    const w = Float64Array.from(v1.weights);
    const before = predictProba(w, z);
    expect(s.task).toBe('binary');
    expect([...s.probabilities]).toEqual([...before]);
    expect(s.predictions).toEqual(s.probabilities);
    const metrics = evaluateBinary(w, { ...z, y: enc.y });
    expect(s.metrics!.accuracy).toBe(metrics.accuracy);
    expect(s.metrics!.auc).toBeCloseTo(metrics.auc, 12);
    expect(s.metrics!.loss).toBeCloseTo(metrics.loss, 12);
    expect(s.metrics!.auc).toBeGreaterThan(0.9);
  });
});

describe('a version 2 model file', () => {
  const roundTrip = (t: ReturnType<typeof wineSoftmax>) => {
    const path = join(dir, `${t.file.kind}-${count++}.json`);
    saveModelFile(path, t.file);
    const loaded = loadModelFile(path);
    expect(loaded).toEqual(JSON.parse(readFileSync(path, 'utf8')));
    return { loaded, scores: scoreTable(loaded, t.table), direct: t.model.predict(t.params, t.z) };
  };

  it('round trips a logistic model (written as version 2 too)', () => {
    const t = trainedModelFile({
      csv: 'breast_cancer.csv',
      label: 'benign',
      spec: { kind: 'logistic' },
      task: 'binary',
    });
    const { loaded, scores, direct } = roundTrip(t);
    expect(loaded).toMatchObject({ version: 2, kind: 'logistic', task: 'binary', model: { kind: 'logistic' } });
    expect([...scores.probabilities]).toEqual([...direct]);
    expect(scores.metrics!.auc).toBeGreaterThan(0.95);
    expect(scores.taskMetrics).toMatchObject({ task: 'binary', auc: scores.metrics!.auc });
  });

  it('round trips a softmax model and predicts classes with their probabilities', () => {
    const t = wineSoftmax();
    const { loaded, scores, direct } = roundTrip(t);
    expect(loaded).toMatchObject({
      version: 2,
      kind: 'softmax',
      task: 'multiclass',
      model: { classes: ['0', '1', '2'] },
    });
    expect([...scores.classProbabilities!]).toEqual([...direct]);
    const k = 3;
    const n = t.table.rows.length;
    for (let i = 0; i < n; i++) {
      const row = [...direct.subarray(i * k, i * k + k)];
      const best = row.indexOf(Math.max(...row));
      expect(scores.predictions[i]).toBe(String(best));
      expect(scores.probabilities[i]).toBe(row[best]);
    }
    const m = scores.taskMetrics!;
    expect(m.task).toBe('multiclass');
    if (m.task !== 'multiclass') return;
    const correct = t.table.rows.filter((r, i) => r.at(-1) === scores.predictions[i]).length;
    expect(m.accuracy).toBeCloseTo(correct / n, 12);
    expect(m.accuracy).toBeGreaterThan(0.9);
    expect(m.macroF1).toBeGreaterThan(0.9);
    expect(scores.metrics).toBeUndefined();
  });

  it('round trips a linear model and predicts in label units with metrics in label units', () => {
    const t = diabetesLinear();
    const { loaded, scores, direct } = roundTrip(t);
    expect(loaded).toMatchObject({ version: 2, kind: 'linear', task: 'regression', model: { labelRange: [25, 346] } });
    const [mid, half] = [(25 + 346) / 2, (346 - 25) / 2];
    const predictions = scores.predictions as Float64Array;
    direct.forEach((v, i) => expect(predictions[i]).toBeCloseTo(v * half + mid, 9));
    // The metrics recomputed in label units from the predictions and the CSV's labels.
    const y = t.table.rows.map((r) => Number(r.at(-1)));
    const errors = y.map((v, i) => predictions[i]! - v);
    const mse = errors.reduce((a, e) => a + e * e, 0) / y.length;
    const mae = errors.reduce((a, e) => a + Math.abs(e), 0) / y.length;
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sst = y.reduce((a, v) => a + (v - mean) ** 2, 0);
    const m = scores.taskMetrics!;
    if (m.task !== 'regression') throw new Error(`expected regression metrics, got ${m.task}`);
    expect(m.rmse).toBeCloseTo(Math.sqrt(mse), 6);
    expect(m.mae).toBeCloseTo(mae, 6);
    expect(m.mse).toBeCloseTo(mse, 4);
    expect(m.r2).toBeCloseTo(1 - (mse * y.length) / sst, 9);
    expect(m.r2).toBeGreaterThan(0.3);
    expect(scores.probabilities.length).toBe(0);
  });

  it('round trips an mlp model', () => {
    const t = digitsMlp();
    const { loaded, scores, direct } = roundTrip(t);
    expect(loaded).toMatchObject({ kind: 'mlp', task: 'multiclass', model: { hidden: [8], activation: 'relu' } });
    expect([...scores.classProbabilities!]).toEqual([...direct]);
    expect(scores.predictions).toHaveLength(300);
    expect(scores.taskMetrics!.n).toBe(300);
  });

  it('scores a table without the label column with a placeholder label valid for the task', () => {
    for (const t of [wineSoftmax(), diabetesLinear()]) {
      const unlabelled = {
        ...t.table,
        columns: t.table.columns.slice(0, -1),
        rows: t.table.rows.map((r) => r.slice(0, -1)),
      };
      const with_ = scoreTable(t.file, t.table);
      const without = scoreTable(t.file, unlabelled);
      expect(without.taskMetrics).toBeUndefined();
      expect([...without.predictions]).toEqual([...with_.predictions]);
    }
  });
});

describe('a model file that cannot be used', () => {
  it('refuses weights of the wrong length, naming the field and both lengths', () => {
    const t = wineSoftmax();
    const damaged = { ...t.file, weights: t.file.weights.slice(1) };
    expect(() => loadModelFile(written(damaged))).toThrow(
      'weights has 41 values, but the softmax model it describes (13 features, 3 classes) has 42; the file is damaged',
    );
    const v1 = { ...v1File(), weights: [1, 2] };
    expect(() => loadModelFile(written(v1))).toThrow(/weights has 2 values, but the logistic model .* has 5/);
  });

  it('refuses an unknown version, naming it and the versions this build reads', () => {
    const path = written({ ...wineSoftmax().file, version: 3 });
    expect(() => loadModelFile(path)).toThrow(
      `${path}: model file version 3 is not one this build reads (versions 1 and 2)`,
    );
  });

  it('refuses a version 2 file without its model section fields, naming them', () => {
    const t = diabetesLinear();
    const noRange = { ...t.file, model: { kind: 'linear', l2: 1e-4 } };
    expect(() => loadModelFile(written(noRange))).toThrow(/model\.labelRange must be \[low, high\]/);
    const noClasses = { ...wineSoftmax().file, model: { kind: 'softmax', l2: 1e-4 } };
    expect(() => loadModelFile(written(noClasses))).toThrow(/model\.classes must list the classes/);
  });

  it('refuses to score a tfjs model file, naming @tessera/tfjs', () => {
    const t = wineSoftmax();
    const tfjs = { ...t.file, kind: 'tfjs' as const, model: { ...t.file.model, kind: 'tfjs' as const, topology: {} } };
    const loaded = loadModelFile(written(tfjs));
    expect(() => scoreTable(loaded, t.table)).toThrow(/is a tfjs model.*@tessera\/tfjs's tfjsModel/);
  });
});
