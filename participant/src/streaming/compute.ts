// The training stages for a data set of any size: in memory within the cell budget (local-compute.ts, unchanged),
// streamed from the local engine beyond it, one batch of rows in memory at a time.
import { encodeTable, featureNames } from '@tessera/data';
import { secretRecordRandomness, type RecordRandomness } from '@tessera/fl';
import { seededRandom, standardise } from '@tessera/ml';
import type { tessera } from '@tessera/proto';
import {
  agreedSchemaOf,
  checkedModel,
  evaluate,
  evaluationResult,
  fit,
  fitResult,
  momentsResult,
  privateStatistics,
  privateStatisticsOf,
  privateStatisticsSettings,
  recordDpSettings,
  recordLevelSum,
  statistics,
  trainingSetup,
  unclampedScaled,
  type LocalResult,
} from '../local-compute.js';
import type { LocalData } from '../local-data.js';
import { announcedUnitOf, announcesDp } from '../privacy/privacy-plan.js';
import { localTrainingOf, scaleLabels } from '../training-model.js';
import type { LabeledScan, RowPart } from './encoded-batches.js';
import { schemaColumns } from './encoded-batches.js';
import { streamedMetricSums } from './evaluate.js';
import { streamedFit } from './fit.js';
import { selectedRows } from './selected-rows.js';
import { streamedMoments } from './statistics.js';
import { validationRows } from './validation-split.js';

/** STATISTICS: `statistics` in memory; beyond the cell budget, streamed (private releases over selected rows). */
export async function localStatistics(
  data: LocalData,
  task: tessera.v1.ITask,
  randomness: RecordRandomness = secretRecordRandomness(),
): Promise<LocalResult> {
  const name = task.dataset ?? '';
  if (data.inMemory(name)) return task.statistics ? privateStatistics(data, task, randomness) : statistics(data, task);
  const schema = agreedSchemaOf(task);
  if (!task.statistics) return momentsResult(await streamedMoments(data, name, schema));
  const { maxRecords } = privateStatisticsSettings(task);
  const { table } = await selectedRows(data, name, schemaColumns(schema), maxRecords, randomness);
  const encoded = encodeTable(table, schema);
  return privateStatisticsOf(
    task,
    encoded,
    Array.from({ length: encoded.n }, (_, i) => i),
  );
}

/** The scan of the task's rows, standardised, split by the job's seed (no split under differential privacy). */
function scanOf(
  task: tessera.v1.ITask,
  seedName: string,
  labels: 'train' | 'evaluate',
): LabeledScan & { part: RowPart } {
  const { seed, standardisation, validationFraction, scale } = trainingSetup(task, seedName);
  const scaled = scale
    ? { labels: (y: Float64Array) => (labels === 'train' ? scaleLabels(y, scale) : unclampedScaled(y, scale)) }
    : {};
  const split = validationFraction > 0;
  return {
    schema: agreedSchemaOf(task),
    standardisation,
    isValidation: validationRows(seed, validationFraction),
    ...scaled,
    // without a split every row trains and every row is evaluated, as in memory
    part: labels === 'train' ? 'train' : split ? 'validation' : 'all',
  };
}

/** FIT: `fit` in memory; beyond the cell budget, mini-batch training over the engine's scan. */
export async function localFit(
  data: LocalData,
  task: tessera.v1.ITask,
  global: Float64Array,
  seedName: string,
  randomness: RecordRandomness = secretRecordRandomness(),
): Promise<LocalResult> {
  const name = task.dataset ?? '';
  if (data.inMemory(name)) return fit(data, task, global, seedName, randomness);
  if (announcedUnitOf(task) === 'record') return streamedRecordLevelFit(data, task, global, seedName, randomness);
  const scan = scanOf(task, seedName, 'train');
  const model = checkedModel(task, global, featureNames(scan.schema).length);
  const { seed } = trainingSetup(task, seedName);
  const round = Number(task.ref?.round ?? 0);
  const rng = announcesDp(task) ? randomness.shared() : seededRandom(`${seed}/round-${round}`);
  const r = await streamedFit(data, name, scan, model, global, localTrainingOf(task, global), rng);
  return fitResult(task, r.params, global, r.examples, r.meanLoss);
}

/** EVALUATE: `evaluate` in memory; beyond the cell budget, metric sums over the scan's validation rows. */
export async function localEvaluate(
  data: LocalData,
  task: tessera.v1.ITask,
  global: Float64Array,
  seedName: string,
): Promise<LocalResult> {
  const name = task.dataset ?? '';
  if (data.inMemory(name)) return evaluate(data, task, global, seedName);
  const { part, ...scan } = scanOf(task, seedName, 'evaluate');
  const model = checkedModel(task, global, featureNames(scan.schema).length);
  return evaluationResult(model, await streamedMetricSums(data, name, scan, model, global, part));
}

/**
 * Record-level DP beyond the cell budget: the at most maxRecords rows with the smallest secret keys are selected
 * streaming (selected-rows.ts), then summed exactly as in memory (every row trains under DP: no split).
 */
async function streamedRecordLevelFit(
  data: LocalData,
  task: tessera.v1.ITask,
  global: Float64Array,
  seedName: string,
  randomness: RecordRandomness,
): Promise<LocalResult> {
  const name = task.dataset ?? '';
  const { maxRecords } = recordDpSettings(task);
  const { standardisation, scale } = trainingSetup(task, seedName);
  const schema = agreedSchemaOf(task);
  const model = checkedModel(task, global, featureNames(schema).length);
  const { table, used } = await selectedRows(data, name, schemaColumns(schema), maxRecords, randomness);
  const encoded = encodeTable(table, schema);
  const z = standardise(encoded, standardisation);
  const rows = { ...z, y: scale ? scaleLabels(encoded.y, scale) : encoded.y };
  return recordLevelSum(task, model, global, rows, used, randomness);
}
