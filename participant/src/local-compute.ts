import type { AgreedSchema, EncodedData, LocalSchema } from '@tessera/data';
import {
  addBoundedMoments,
  addClippedRecord,
  addMagnitudes,
  boundedMomentsLength,
  deltaOf,
  MAGNITUDE_BUCKETS,
  secretRecordRandomness,
  selectRecords,
  type EvaluationShape,
  type RecordRandomness,
} from '@tessera/fl';
import {
  metricSums,
  metricsFromSums,
  momentsOf,
  seededRandom,
  takeRows,
  trainModel,
  type FeatureMoments,
  type LabeledData,
  type ModelTask,
  type Standardisation,
} from '@tessera/ml';
import { columnProfileFromProto, tessera } from '@tessera/proto';
import type { LocalData } from './local-data.js';

import { announcedUnitOf, announcesDp, privacyPlanOf } from './privacy/privacy-plan.js';
import {
  labelScaleOf,
  labelTargetOf,
  localTrainingOf,
  modelOfTask,
  scaleLabels,
  taskModelOf,
} from './training-model.js';

const Part = tessera.v1.StatisticsRelease.Part;

/** The answer to one task: a vector to upload (or none), the example count and metrics. */
export interface LocalResult {
  vector?: Float64Array;
  /** The vector already holds exact integers in quantised units (record-level DP sums), ready for the ring. */
  integer?: boolean;
  /**
   * The vector is in bounded units (differentially private statistics): scale by this level and round into the ring.
   */
  level?: number;
  /** Adaptive clipping: append (b - 1/2) x this scale, b = 1 if the update needed no clipping. */
  clipIndicatorScale?: number;
  /** Exact (wide) encoding with this many fraction bits instead of the default. */
  fractionBits?: number;
  /**
   * Participant-level DP: the update weighs 1 and its weight coordinate is sent as 0 (decoding divides by the survivor
   * count).
   */
  uniformWeight?: boolean;
  numExamples: number;
  metrics: Record<string, number>;
  /** EVALUATE: the model's metric sums on the validation rows (what secure aggregation adds up), and their shape. */
  evaluation?: { sums: Float64Array; shape: EvaluationShape };
}

/**
 * The schema the task's features describe. Under differential privacy every text domain is a
 * public one (declared in the spec): a local value outside it encodes as zeros rather than failing
 * the task, since a refusal would reveal that this node holds such a value.
 */
export function agreedSchemaOf(task: tessera.v1.ITask): AgreedSchema {
  const declared = privacyPlanOf(task) !== undefined;
  return {
    label: task.label ?? '',
    features: (task.features ?? []).map((f) => columnProfileFromProto(f, { declared })),
    target: labelTargetOf(taskModelOf(task)),
  };
}

export function schemaReport(data: LocalData, task: tessera.v1.ITask): LocalSchema {
  const features = (task.features ?? []).map((f) => f.name ?? '').filter(Boolean);
  return data.profile(
    task.dataset ?? '',
    task.label ?? '',
    task.exclude ?? [],
    features,
    labelTargetOf(taskModelOf(task)),
  );
}

/** [count, sum_1..d, sumOfSquares_1..d] over the local rows, for federated standardisation. */
export function statistics(data: LocalData, task: tessera.v1.ITask): LocalResult {
  if (task.statistics) return privateStatistics(data, task);
  return momentsResult(momentsOf(data.encode(task.dataset ?? '', agreedSchemaOf(task))));
}

/** The statistics vector of the local moments. */
export function momentsResult(m: FeatureMoments): LocalResult {
  const d = m.sum.length;
  const vector = new Float64Array(2 * d + 1);
  vector[0] = m.count;
  vector.set(m.sum, 1);
  vector.set(m.sumSquares, d + 1);
  return { vector, numExamples: m.count, metrics: {} };
}

/**
 * The local rows, standardised. Without differential privacy a share of them (the task's
 * `validationFraction`, split by the job's seed) is kept for evaluation. Under differential
 * privacy there is no split: the seed is known to the coordinator, so a split by it would let
 * the coordinator decide which records train, and adding one record would reshuffle them all.
 * Every row trains (evaluation, where it runs, sees the same rows).
 */
function prepared(data: LocalData, task: tessera.v1.ITask, seedName: string) {
  const { seed, standardisation, validationFraction, scale } = trainingSetup(task, seedName);
  const local = data.prepare(task.dataset ?? '', agreedSchemaOf(task), standardisation, validationFraction, seed);
  const scaled = (d: LabeledData): LabeledData => (scale ? { ...d, y: scaleLabels(d.y, scale) } : d);
  return { seed, data: { ...local, train: scaled(local.train) }, validation: local.validation };
}

/**
 * What training and evaluation take from the task, whatever the data set's size: the standardisation, the split
 * seed, the validation fraction (0 under differential privacy, see `prepared`) and a regression's label scale (labels
 * scaled to [-1, 1] over the job's public range, training-model.ts).
 */
export function trainingSetup(task: tessera.v1.ITask, seedName: string) {
  const training = task.training;
  const clip = Number(training?.standardizedClip ?? 0);
  const standardisation: Standardisation = {
    mean: Float64Array.from(task.mean ?? []),
    std: Float64Array.from(task.std ?? []),
    ...(clip > 0 ? { clip } : {}),
  };
  const seed = `${String(training?.seed ?? task.ref?.jobId)}/${seedName}`;
  const validationFraction = announcesDp(task) ? 0 : Number(training?.validationFraction ?? 0.2);
  return { seed, standardisation, validationFraction, scale: labelScaleOf(taskModelOf(task)) };
}

/** The task's model for the local data, after checking the global parameters fit it. */
export function checkedModel(task: tessera.v1.ITask, global: Float64Array, features: number) {
  const model = modelOfTask(task, features);
  if (global.length !== model.size)
    throw new Error(
      `the global model has ${global.length} parameters but a ${model.kind} model of the ${features} agreed ` +
        `features has ${model.size}`,
    );
  return model;
}

/**
 * Trains from the global model on the local training rows; uploads the delta. Under
 * differential privacy (unit participant) the mini-batch order is secret (`randomness`, the
 * CSPRNG in production) and the update weighs 1 with a zero weight coordinate.
 */
export function fit(
  data: LocalData,
  task: tessera.v1.ITask,
  global: Float64Array,
  seedName: string,
  randomness: RecordRandomness = secretRecordRandomness(),
): LocalResult {
  if (announcedUnitOf(task) === 'record') return recordLevelFit(data, task, global, seedName, randomness);
  const { seed, data: local } = prepared(data, task, seedName);
  const model = checkedModel(task, global, local.train.d);
  const round = Number(task.ref?.round ?? 0);
  const dp = announcesDp(task);
  const result = trainModel(
    model,
    global,
    local.train,
    localTrainingOf(task, global),
    dp ? randomness.shared() : seededRandom(`${seed}/round-${round}`),
  );
  return fitResult(task, result.params, global, local.train.n, result.meanLoss);
}

/** FIT's answer: the delta from the global model, the example count, the loss and the DP flags. */
export function fitResult(
  task: tessera.v1.ITask,
  params: Float64Array,
  global: Float64Array,
  examples: number,
  meanLoss: number,
): LocalResult {
  const indicator = Number(task.training?.clipIndicatorScale ?? 0);
  return {
    vector: deltaOf(params, global),
    numExamples: examples,
    metrics: { train_loss: meanLoss },
    ...(indicator > 0 ? { clipIndicatorScale: indicator } : {}),
    ...(announcesDp(task) ? { uniformWeight: true } : {}),
  };
}

/** Evaluates the global model on the local validation rows. */
export function evaluate(data: LocalData, task: tessera.v1.ITask, global: Float64Array, seedName: string): LocalResult {
  const { validation } = prepared(data, task, seedName);
  const model = checkedModel(task, global, validation.d);
  // A regression's sums are over the scaled label (not clamped: the errors are the true ones), so that they stay small
  // whatever the label's range; the coordinator reports them in label units (regressionMetricsInLabelUnits).
  const scale = labelScaleOf(taskModelOf(task));
  const sums = metricSums(
    model,
    global,
    scale ? { ...validation, y: unclampedScaled(validation.y, scale) } : validation,
  );
  return evaluationResult(model, sums);
}

/** EVALUATE's answer from the model's metric sums over the validation rows. */
export function evaluationResult(model: { task: ModelTask; outputs: number }, sums: Float64Array): LocalResult {
  const shape = { task: model.task, outputs: model.outputs };
  const { n, ...metrics } = metricsFromSums(shape.task, shape.outputs, sums);
  // In the clear the sums go too (`sum.0`, `sum.1`, ...): the coordinator adds them up, so that R², macro-F1 and the
  // rest are the metrics of all the participants' rows rather than a mean of theirs.
  const named = Object.fromEntries(Array.from(sums, (v, i) => [`sum.${i}`, v]));
  return { numExamples: sums[0] ?? n ?? 0, metrics: { ...metrics, ...named }, evaluation: { sums, shape } };
}

/**
 * Record-level DP (DP-FedSGD): the sum over at most `maxRecords` local rows of each row's
 * log-loss gradient at the global model, clipped to `recordClip` and quantised at `recordLevel`
 * (with a count coordinate), as exact integers. When there are more rows, the `maxRecords` with
 * the smallest secret keys are used; each row is rounded with its own secret draws
 * (`randomness`: the CSPRNG in production, per record so that a test can couple two data sets).
 * The coordinator adds the noise (central) or every participant adds its share (distributed,
 * local) before masking; releaseSensitivity (kind record-fit) bounds what one row changes.
 */
export function recordLevelFit(
  data: LocalData,
  task: tessera.v1.ITask,
  global: Float64Array,
  seedName: string,
  randomness: RecordRandomness = secretRecordRandomness(),
): LocalResult {
  const { data: local } = prepared(data, task, seedName);
  const model = checkedModel(task, global, local.train.d);
  const { maxRecords } = recordDpSettings(task);
  const used = selectRecords(local.train.n, maxRecords, randomness);
  const rows = used.length === local.train.n ? local.train : takeRows(local.train, used);
  return recordLevelSum(task, model, global, rows, used, randomness);
}

/** A record-level task's clip, level and maxRecords, checked. */
export function recordDpSettings(task: tessera.v1.ITask) {
  // An absent setting reads as NaN, which the check refuses.
  const recordDp = task.training?.recordDp;
  const clip = Number(recordDp?.clip ?? undefined),
    level = Number(recordDp?.level ?? undefined),
    maxRecords = Number(recordDp?.maxRecords ?? undefined);
  if (!(clip > 0) || !Number.isInteger(level) || level < 1 || !Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new Error(
      'record-level task needs a record clip > 0, an integer record level >= 1 and maxRecords >= 1, ' +
        `got ${clip}, ${level}, ${maxRecords}`,
    );
  }
  return { clip, level, maxRecords };
}

/**
 * recordLevelFit's sum over the selected rows: `rows` holds one example per entry of `used` (the rows' record
 * indices, which key their rounding draws), in order.
 */
export function recordLevelSum(
  task: tessera.v1.ITask,
  model: ReturnType<typeof modelOfTask>,
  global: Float64Array,
  rows: LabeledData,
  used: readonly number[],
  randomness: RecordRandomness,
): LocalResult {
  const { clip, level } = recordDpSettings(task);
  const sum = new Float64Array(global.length + 1);
  const codec = { clip, level, modulus: 2 ** 32 };
  let clipped = 0;
  // rows holds one example per entry of used, in order
  const trainLoss = model.forEachExampleGradient(global, rows, (g, k) => {
    if (addClippedRecord(sum, g, codec, randomness.rounding(used[k]!))) clipped++;
  });
  return {
    vector: sum,
    integer: true,
    numExamples: rows.n,
    metrics: { train_loss: trainLoss, clipped_fraction: rows.n ? clipped / rows.n : 0 },
  };
}

/**
 * One release of the differentially private statistics stage, over at most `maxRecords` rows
 * (the ones with the smallest secret keys when there are more): `magnitudes` (a power-of-two
 * histogram of |x| per feature) or `moments` (moments of x clamped to the task's public bounds).
 * Unit record: sums over rows; unit participant: means over rows, so one participant's whole
 * contribution is bounded like one record's. The sums are exact (see addBoundedMoments); the
 * encoding scales them by `level` and rounds them with secret draws.
 */
export function privateStatistics(
  data: LocalData,
  task: tessera.v1.ITask,
  randomness: RecordRandomness = secretRecordRandomness(),
): LocalResult {
  const encoded = data.encode(task.dataset ?? '', agreedSchemaOf(task));
  const { maxRecords } = privateStatisticsSettings(task);
  return privateStatisticsOf(task, encoded, selectRecords(encoded.n, maxRecords, randomness));
}

/** A private statistics release's level and maxRecords, checked. */
export function privateStatisticsSettings(task: tessera.v1.ITask) {
  const release = task.statistics;
  const level = Number(release?.level ?? undefined),
    maxRecords = Number(release?.maxRecords ?? undefined);
  if (!(level >= 1) || !Number.isInteger(maxRecords) || maxRecords < 1)
    throw new Error(`private statistics need a level >= 1 and an integer maxRecords >= 1, got ${level}, ${maxRecords}`);
  return { level, maxRecords };
}

/** privateStatistics' release over the selected rows `rows` of `encoded`. */
export function privateStatisticsOf(
  task: tessera.v1.ITask,
  encoded: EncodedData,
  rows: readonly number[],
): LocalResult {
  const release = task.statistics;
  const { d } = encoded;
  const { level } = privateStatisticsSettings(task);
  let vector: Float64Array;
  if (release?.part === Part.MAGNITUDES) {
    vector = new Float64Array(d * MAGNITUDE_BUCKETS);
    for (const r of rows) addMagnitudes(vector, encoded.x, r * d, d);
  } else if (release?.part === Part.MOMENTS) {
    const bounds = Float64Array.from(task.bounds ?? []);
    if (bounds.length !== d || bounds.some((b) => !(b > 0)))
      throw new Error(`private moments need ${d} positive bounds, got ${bounds.length}`);
    vector = new Float64Array(boundedMomentsLength(d));
    for (const r of rows) addBoundedMoments(vector, encoded.x, r * d, bounds);
  } else {
    throw new Error(`unknown statistics part ${release?.part ?? 0}`);
  }
  if (announcedUnitOf(task) === 'participant') {
    const weight = 1 / Math.max(1, rows.length);
    for (let i = 0; i < vector.length; i++) vector[i]! *= weight;
  }
  return { vector, level, numExamples: rows.length, metrics: {} };
}

/** Labels scaled as training scales them, but not clamped: evaluation measures the true errors. */
export function unclampedScaled(y: Float64Array, s: { mid: number; half: number }): Float64Array {
  return y.map((v) => (v - s.mid) / s.half);
}
