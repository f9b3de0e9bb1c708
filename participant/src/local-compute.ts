import type { AgreedSchema, LocalSchema } from '@tessera/data';
import { addBoundedMoments, addClippedRecord, addMagnitudes, boundedMomentsLength, deltaOf, logisticConfigFrom, MAGNITUDE_BUCKETS } from '@tessera/fl';
import { evaluateBinary, forEachExampleGradient, momentsOf, seededRandom, takeRows, trainLogistic } from '@tessera/ml';
import { fromConfigEntries, tessera } from '@tessera/proto';
import type { LocalData } from './local-data.js';

const pb = tessera.v1;

/** The answer to one task: a vector to upload (or none), the example count and metrics. */
export interface LocalResult {
  vector?: Float64Array;
  /** The vector already holds exact integers in quantised units (record-level DP sums), ready for the ring. */
  integer?: boolean;
  /** The vector is in bounded units (differentially private statistics): scale by this level and round into the ring. */
  level?: number;
  /** Adaptive clipping: append (b - 1/2) x this scale, b = 1 if the update needed no clipping. */
  clipIndicatorScale?: number;
  /** Exact (wide) encoding with this many fraction bits instead of the default. */
  fractionBits?: number;
  numExamples: number;
  metrics: Record<string, number>;
}

export function agreedSchemaOf(task: tessera.v1.ITask): AgreedSchema {
  return {
    label: task.label ?? '',
    features: (task.features ?? []).map((f) => ({
      name: f.name ?? '',
      kind: f.kind === pb.ColumnProfile.Kind.CATEGORICAL ? 'categorical' as const : 'numeric' as const,
      ...(f.kind === pb.ColumnProfile.Kind.CATEGORICAL ? { categories: f.categories ?? [] } : {}),
    })),
  };
}

export function schemaReport(data: LocalData, task: tessera.v1.ITask): LocalSchema {
  const features = (task.features ?? []).map((f) => f.name ?? '').filter(Boolean);
  return data.profile(task.dataset ?? '', task.label ?? '', task.exclude ?? [], features);
}

/** [count, sum_1..d, sumOfSquares_1..d] over the local rows, for federated standardisation. */
export function statistics(data: LocalData, task: tessera.v1.ITask): LocalResult {
  if (fromConfigEntries(task.config).statsPart !== undefined) return privateStatistics(data, task);
  const encoded = data.encode(task.dataset ?? '', agreedSchemaOf(task));
  const m = momentsOf(encoded);
  const d = encoded.d;
  const vector = new Float64Array(2 * d + 1);
  vector[0] = m.count;
  vector.set(m.sum, 1);
  vector.set(m.sumSquares, d + 1);
  return { vector, numExamples: m.count, metrics: {} };
}

function prepared(data: LocalData, task: tessera.v1.ITask, participantId: string) {
  const config = fromConfigEntries(task.config);
  const standardization = { mean: Float64Array.from(task.mean ?? []), std: Float64Array.from(task.std ?? []), ...(Number(config.standardizedClip) > 0 ? { clip: Number(config.standardizedClip) } : {}) };
  const seed = `${String(config.seed ?? task.ref?.jobId)}/${participantId}`;
  const validationFraction = Number(config.validationFraction ?? 0.2);
  return { config, seed, data: data.prepare(task.dataset ?? '', agreedSchemaOf(task), standardization, validationFraction, seed) };
}

/** Trains from the global model on the local training rows; uploads the delta. */
export function fit(data: LocalData, task: tessera.v1.ITask, global: Float64Array, participantId: string): LocalResult {
  if (fromConfigEntries(task.config).dpUnit === 'record') return recordLevelFit(data, task, global, participantId);
  const { config, seed, data: local } = prepared(data, task, participantId);
  if (global.length !== local.train.d + 1) {
    throw new Error(`the global model has ${global.length} weights but the local data encodes ${local.train.d} features (+1 bias)`);
  }
  const cfg = logisticConfigFrom(config);
  const round = Number(task.ref?.round ?? 0);
  const result = trainLogistic(global, local.train, cfg, seededRandom(`${seed}/round-${round}`));
  const indicator = Number(config.clipIndicatorScale ?? 0);
  return { vector: deltaOf(result.weights, global), numExamples: local.train.n, metrics: { train_loss: result.meanLoss }, ...(indicator > 0 ? { clipIndicatorScale: indicator } : {}) };
}

/** Evaluates the global model on the local validation rows. */
export function evaluate(data: LocalData, task: tessera.v1.ITask, global: Float64Array, participantId: string): LocalResult {
  const { data: local } = prepared(data, task, participantId);
  const m = evaluateBinary(global, local.validation);
  return { numExamples: m.n, metrics: { loss: m.loss, accuracy: m.accuracy, auc: m.auc } };
}

/**
 * Record-level DP (DP-FedSGD): the sum over at most `maxRecords` local training rows of each
 * row's log-loss gradient at the global model, clipped to `recordClip` and quantised at
 * `recordLevel` (with a count coordinate), as exact integers. The coordinator adds the noise
 * (central) or every participant adds its share (distributed, local) before masking.
 */
export function recordLevelFit(data: LocalData, task: tessera.v1.ITask, global: Float64Array, participantId: string): LocalResult {
  const { config, seed, data: local } = prepared(data, task, participantId);
  if (global.length !== local.train.d + 1) {
    throw new Error(`the global model has ${global.length} weights but the local data encodes ${local.train.d} features (+1 bias)`);
  }
  const clip = Number(config.recordClip), level = Number(config.recordLevel), maxRecords = Number(config.maxRecords);
  if (!(clip > 0) || !Number.isInteger(level) || level < 1 || !Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new Error(`record-level task needs recordClip > 0, integer recordLevel >= 1 and maxRecords >= 1, got ${clip}, ${level}, ${maxRecords}`);
  }
  const round = Number(task.ref?.round ?? 0);
  const rng = seededRandom(`${seed}/round-${round}/records`);
  let rows = local.train;
  if (rows.n > maxRecords) {
    const order = Array.from({ length: rows.n }, (_, i) => i);
    rng.shuffle(order);
    rows = takeRows(rows, order.slice(0, maxRecords));
  }
  const sum = new Float64Array(global.length + 1);
  const codec = { clip, level, modulus: 2 ** 32 };
  let clipped = 0;
  const trainLoss = forEachExampleGradient(global, rows, (g) => { if (addClippedRecord(sum, g, codec, rng)) clipped++; });
  return { vector: sum, integer: true, numExamples: rows.n, metrics: { train_loss: trainLoss, clipped_fraction: rows.n ? clipped / rows.n : 0 } };
}

/**
 * One release of the differentially private statistics stage, over at most `maxRecords` rows:
 * `magnitudes` (a power-of-two histogram of |x| per feature) or `moments` (moments of x clamped
 * to the task's public bounds). Unit record: sums over rows; unit participant: means over rows,
 * so one participant's whole contribution is bounded like one record's.
 */
export function privateStatistics(data: LocalData, task: tessera.v1.ITask): LocalResult {
  const config = fromConfigEntries(task.config);
  const encoded = data.encode(task.dataset ?? '', agreedSchemaOf(task));
  const { d } = encoded;
  const level = Number(config.dpLevel), maxRecords = Number(config.maxRecords);
  if (!(level >= 1) || !(maxRecords >= 1)) throw new Error(`private statistics need dpLevel >= 1 and maxRecords >= 1, got ${config.dpLevel}, ${config.maxRecords}`);
  let rows = Array.from({ length: encoded.n }, (_, i) => i);
  if (rows.length > maxRecords) {
    seededRandom(`${String(config.seed ?? task.ref?.jobId)}/statistics`).shuffle(rows);
    rows = rows.slice(0, maxRecords);
  }
  const weight = config.dpUnit === 'participant' ? 1 / Math.max(1, rows.length) : 1;
  let vector: Float64Array;
  if (config.statsPart === 'magnitudes') {
    vector = new Float64Array(d * MAGNITUDE_BUCKETS);
    for (const r of rows) addMagnitudes(vector, encoded.x, r * d, d, weight);
  } else if (config.statsPart === 'moments') {
    const bounds = Float64Array.from(task.bounds ?? []);
    if (bounds.length !== d || bounds.some((b) => !(b > 0))) throw new Error(`private moments need ${d} positive bounds, got ${bounds.length}`);
    vector = new Float64Array(boundedMomentsLength(d));
    for (const r of rows) addBoundedMoments(vector, encoded.x, r * d, bounds, weight);
  } else {
    throw new Error(`unknown statistics part ${JSON.stringify(config.statsPart)}`);
  }
  return { vector, level, numExamples: rows.length, metrics: {} };
}
