// Breast cancer split by columns for the vertical tests over gRPC: a bank (guest: 10 features and the label) and a
// platform (host: 20 features), 80% of the customers at both, each side's rows shuffled; and the baselines on the
// same held-out customers the parties choose (isHeldOut).
import { join } from 'node:path';
import { readCsvFile, type RawTable } from '@tessera/data';
import { auc, logisticModel, seededRandom, trainModel, type LabeledData } from '@tessera/ml';
import { isHeldOut, predictGbdt, trainGbdt, type BoostConfig } from '@tessera/vertical';
import { EXAMPLE_DATA } from './helpers.js';

export const LABEL = 'benign';
export const ID = 'customer_id';

export interface VerticalTables {
  readonly guest: RawTable;
  readonly host: RawTable;
  /** The customers both hold. */
  readonly shared: string[];
  readonly features: { guest: string[]; host: string[] };
  /** Every customer's values by id: features by name and the label. */
  readonly byId: Map<string, Record<string, number>>;
}

export function verticalTables(seed = 'vertical', overlap = 0.8): VerticalTables {
  const t = readCsvFile(join(EXAMPLE_DATA, 'breast_cancer.csv'));
  const features = t.columns.filter((c) => c !== LABEL);
  const guestFeatures = features.slice(0, 10);
  const hostFeatures = features.slice(10);
  const rng = seededRandom(seed);
  const order = Uint32Array.from({ length: t.rows.length }, (_, i) => i);
  rng.shuffle(order);
  const shared = Math.round(overlap * t.rows.length);
  const onlyGuest = Math.floor((t.rows.length - shared) / 2);
  const guestRows = [...order.subarray(0, shared + onlyGuest)];
  const hostRows = [...order.subarray(0, shared), ...order.subarray(shared + onlyGuest)];
  rng.shuffle(guestRows);
  rng.shuffle(hostRows);
  const byId = new Map<string, Record<string, number>>();
  t.rows.forEach((r, i) => byId.set(`customer-${i}`, Object.fromEntries(t.columns.map((c, j) => [c, Number(r[j])]))));
  const table = (rows: number[], columns: string[]): RawTable => ({
    source: 'breast_cancer.csv',
    columns: [ID, ...columns],
    rows: rows.map((i) => [`customer-${i}`, ...columns.map((c) => t.rows[i]![t.columns.indexOf(c)]!)]),
    lineOf: (i) => i + 2,
  });
  return {
    guest: table(guestRows, [...guestFeatures, LABEL]),
    host: table(hostRows, hostFeatures),
    shared: [...order.subarray(0, shared)].map((i) => `customer-${i}`),
    features: { guest: guestFeatures, host: hostFeatures },
    byId,
  };
}

/** The shared customers' train and test ids, as the parties split them. */
export function heldOut(t: VerticalTables, seed: string, testFraction = 0.2) {
  const test = t.shared.filter((id) => isHeldOut(id, seed, testFraction));
  const train = t.shared.filter((id) => !isHeldOut(id, seed, testFraction));
  return { train, test };
}

function matrix(t: VerticalTables, ids: string[], columns: string[], mean?: number[], sd?: number[]) {
  const d = columns.length;
  const x = new Float64Array(ids.length * d);
  ids.forEach((id, i) => columns.forEach((c, j) => (x[i * d + j] = t.byId.get(id)![c]!)));
  const m = mean ?? columns.map((_, j) => ids.reduce((a, _id, i) => a + x[i * d + j]!, 0) / ids.length);
  const s =
    sd ??
    columns.map((_, j) => Math.sqrt(ids.reduce((a, _id, i) => a + (x[i * d + j]! - m[j]!) ** 2, 0) / ids.length) || 1);
  for (let i = 0; i < ids.length; i++) for (let j = 0; j < d; j++) x[i * d + j] = (x[i * d + j]! - m[j]!) / s[j]!;
  const y = Float64Array.from(ids, (id) => t.byId.get(id)![LABEL]!);
  return { data: { x, n: ids.length, d, y } as LabeledData, mean: m, sd: s };
}

/** Held-out AUC of logistic regression on `columns` (standardised on the training rows), trained with `schedule`. */
export function logisticAuc(
  t: VerticalTables,
  split: { train: string[]; test: string[] },
  columns: string[],
  schedule: { epochs: number; batchSize: number; learningRate: number; l2: number },
): number {
  const train = matrix(t, split.train, columns);
  const test = matrix(t, split.test, columns, train.mean, train.sd);
  const model = logisticModel({ features: columns.length, l2: schedule.l2 });
  const rng = seededRandom('baseline');
  const w = trainModel(model, model.init(rng), train.data, schedule, rng).params;
  return auc(test.data.y, model.predict(w, test.data));
}

/** Held-out AUC of the plaintext GBDT reference on `columns` (raw values, as SecureBoost bins them). */
export function gbdtAuc(
  t: VerticalTables,
  split: { train: string[]; test: string[] },
  columns: string[],
  config: Partial<BoostConfig>,
): number {
  const cols = (ids: string[]) => columns.map((c) => Float64Array.from(ids, (id) => t.byId.get(id)![c]!));
  const y = (ids: string[]) => Float64Array.from(ids, (id) => t.byId.get(id)![LABEL]!);
  const model = trainGbdt(cols(split.train), y(split.train), config);
  return auc(y(split.test), predictGbdt(model, cols(split.test)));
}
