// The vertical demo's plaintext baselines on exactly the federation's training and test customers: centralised
// (the joined columns of the shared customers) and guest-only (the guest's columns), by logistic regression or GBDT.
import { accuracy, auc, logisticModel, logLoss, seededRandom, sigmoid, trainModel } from '@tessera/ml';
import { isHeldOut, predictGbdt, trainGbdt } from '@tessera/vertical';
import type { VerticalDemoData } from './vertical-data.js';

export interface VerticalQuality {
  auc: number;
  accuracy: number;
  logLoss: number;
  trainRows: number;
  testRows: number;
}

export interface LogisticSettings {
  kind: 'vertical-logistic';
  epochs: number;
  batchSize: number;
  learningRate: number;
  l2: number;
}

export interface BoostSettings {
  kind: 'secureboost';
  trees: number;
  depth: number;
  learningRate: number;
  bins: number;
  minChildWeight: number;
  lambda: number;
}

export type VerticalModelSettings = LogisticSettings | BoostSettings;

/** The shared customers' rows (file order indices) split as every party splits them: by isHeldOut of their id. */
export function heldOutRows(
  data: VerticalDemoData,
  seed: string,
  testFraction: number,
): { train: Uint32Array; test: Uint32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (const r of data.shared) (isHeldOut(data.ids[r]!, seed, testFraction) ? test : train).push(r);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}

/**
 * Columns standardised on the training rows (mean and population sd, a constant column sd 1, as each party does)
 * and taken at `train` and `test`.
 */
function standardised(
  columns: readonly Float64Array[],
  train: Uint32Array,
  test: Uint32Array,
): { train: Float64Array[]; test: Float64Array[] } {
  const out = { train: [] as Float64Array[], test: [] as Float64Array[] };
  for (const c of columns) {
    let sum = 0;
    for (const r of train) sum += c[r]!;
    const mean = sum / train.length;
    let squares = 0;
    for (const r of train) squares += (c[r]! - mean) ** 2;
    const s = Math.sqrt(squares / train.length);
    const sd = s > 0 && Number.isFinite(s) ? s : 1;
    out.train.push(Float64Array.from(train, (r) => (c[r]! - mean) / sd));
    out.test.push(Float64Array.from(test, (r) => (c[r]! - mean) / sd));
  }
  return out;
}

/** Row-major rows of column-major columns. */
function rowMajor(columns: readonly Float64Array[]): Float64Array {
  const d = columns.length;
  const n = columns[0]?.length ?? 0;
  const x = new Float64Array(n * d);
  columns.forEach((c, j) => {
    for (let i = 0; i < n; i++) x[i * d + j] = c[i]!;
  });
  return x;
}

function qualityOf(y: Float64Array, p: Float64Array, trainRows: number): VerticalQuality {
  return { auc: auc(y, p), accuracy: accuracy(y, p), logLoss: logLoss(y, p), trainRows, testRows: y.length };
}

/**
 * Trains the model on `columns` of the training rows and measures it on the test rows. Logistic regression: plain
 * mini-batch SGD with the federation's epochs, batch size, learning rate and l2, shuffled by the same seed (the
 * vertical run visits the rows in its own aligned order, so batches differ). GBDT: the plaintext algorithm SecureBoost
 * runs, same hyperparameters.
 */
export function trainBaseline(
  data: VerticalDemoData,
  columns: readonly Float64Array[],
  rows: { train: Uint32Array; test: Uint32Array },
  model: VerticalModelSettings,
  seed: string,
): VerticalQuality {
  const { train, test } = standardised(columns, rows.train, rows.test);
  const yTrain = Float64Array.from(rows.train, (r) => data.labels[r]!);
  const yTest = Float64Array.from(rows.test, (r) => data.labels[r]!);
  if (model.kind === 'secureboost') {
    const { trees, depth, learningRate, bins, minChildWeight, lambda } = model;
    const gbdt = trainGbdt(train, yTrain, { trees, depth, learningRate, bins, minChildWeight, lambda });
    return qualityOf(yTest, predictGbdt(gbdt, test).map(sigmoid), rows.train.length);
  }
  const d = columns.length;
  const lr = logisticModel({ features: d, l2: model.l2 });
  const rng = seededRandom(`${seed}/vertical-logistic/shuffle`);
  const { epochs, batchSize, learningRate } = model;
  const trainData = { x: rowMajor(train), n: rows.train.length, d, y: yTrain };
  const w = trainModel(lr, lr.init(rng), trainData, { epochs, batchSize, learningRate }, rng).params;
  return qualityOf(yTest, lr.predict(w, { x: rowMajor(test), n: rows.test.length, d }), rows.train.length);
}

/** Centralised (guest and host columns joined) and guest-only baselines on the federation's customers. */
export function verticalBaselines(
  data: VerticalDemoData,
  model: VerticalModelSettings,
  seed: string,
  testFraction: number,
): { centralized: VerticalQuality; guestOnly: VerticalQuality } {
  const rows = heldOutRows(data, seed, testFraction);
  return {
    centralized: trainBaseline(data, [...data.guestValues, ...data.hostValues], rows, model, seed),
    guestOnly: trainBaseline(data, data.guestValues, rows, model, seed),
  };
}
