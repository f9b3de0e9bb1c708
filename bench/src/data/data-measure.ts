// One measurement of the "data" part, run in a fresh child process (data-child.ts) so that its peak RSS is its own:
//   engine: LocalEngine.register + evaluateQuery, what a participant runs for a query task;
//   plain: DuckDB's own SQL on the same file, on the same engine's connection (same threads and memory limit);
//   js: the old JavaScript path, readCsvFile + evaluateLocally;
//   train: one localFit epoch through LocalData, streamed (beyond the cell budget) or in memory (within a raised one).
import { evaluateLocally } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import { readCsvFile } from '@tessera/data';
import { evaluateQuery, LocalEngine, type OrdersFormat } from '@tessera/engine';
import { LocalData, localFit, localStatistics, schemaReport } from '@tessera/participant';
import { columnProfileToProto, type tessera } from '@tessera/proto';
import { standardisationFrom } from '@tessera/ml';
import {
  answerOfRows,
  answerOfVector,
  plainSql,
  queryPlan,
  readCsvSql,
  readParquetSql,
  type DataQuery,
  type QueryAnswer,
} from './data-queries.js';

export type Measurement =
  | { kind: 'engine' | 'plain'; file: string; format: OrdersFormat; query: DataQuery; repeats: number }
  | { kind: 'js'; file: string; query: DataQuery; repeats: number }
  | { kind: 'train'; file: string; path: 'streamed' | 'memory'; cellBudget: number };

export interface MeasurementResult {
  rows: number;
  /** Seconds before the first timed run: registering the file (engine), reading the CSV (js), opening the data. */
  setupSeconds: number;
  /** Each timed run's seconds. */
  runSeconds: number[];
  answer?: QueryAnswer;
  /** Training: examples the epoch trained on, its mean loss, whether the data set was in memory. */
  examples?: number;
  meanLoss?: number;
  inMemory?: boolean;
  /** What DuckDB's sniffer typed the columns as (plain SQL over CSV). */
  csvTypes?: Record<string, string>;
}

const since = (t: number) => (performance.now() - t) / 1000;

export async function measure(m: Measurement, log: (line: string) => void): Promise<MeasurementResult> {
  if (m.kind === 'js') return measureJs(m, log);
  if (m.kind === 'train') return measureTraining(m, log);
  return measureEngine(m, log);
}

async function measureEngine(
  m: Extract<Measurement, { kind: 'engine' | 'plain' }>,
  log: (line: string) => void,
): Promise<MeasurementResult> {
  // the participant's engine settings: LocalData opens its engine with the node's (default) EngineOptions
  const engine = await LocalEngine.open();
  try {
    const plan = queryPlan(m.query);
    let t = performance.now();
    let rows: number;
    let run: () => Promise<QueryAnswer>;
    let csvTypes: Record<string, string> | undefined;
    if (m.kind === 'engine') {
      rows = (await engine.register('orders', { type: m.format, path: m.file })).rows;
      run = async () =>
        answerOfVector(m.query, plan, (await evaluateQuery(engine, 'orders', plan, seededRandom('b'))).vector);
    } else {
      const from = m.format === 'csv' ? readCsvSql(m.file) : readParquetSql(m.file);
      if (m.format === 'csv') {
        const described = await engine.connection.runAndReadAll(`DESCRIBE SELECT region, order_value FROM ${from}`);
        csvTypes = Object.fromEntries(described.getRows().map((r) => [String(r[0]), String(r[1])]));
      }
      rows = 0;
      const sql = plainSql(m.query, from);
      run = async () => answerOfRows(m.query, (await engine.connection.runAndReadAll(sql)).getRows());
    }
    const setupSeconds = since(t);
    const runSeconds: number[] = [];
    let answer: QueryAnswer | undefined;
    for (let i = 0; i < m.repeats; i++) {
      t = performance.now();
      answer = await run();
      runSeconds.push(since(t));
      log(`  ${m.kind} ${m.query} ${m.format} run ${i + 1}: ${runSeconds.at(-1)!.toFixed(2)} s`);
    }
    if (m.kind === 'plain') rows = countOf(answer);
    return { rows, setupSeconds, runSeconds, ...(answer ? { answer } : {}), ...(csvTypes ? { csvTypes } : {}) };
  } finally {
    await engine.close();
  }
}

function countOf(a: QueryAnswer | undefined): number {
  if (a?.bins) return a.bins.reduce((s, x) => s + x, 0);
  return Object.values(a?.groups ?? {}).reduce((s, [n]) => s + n, 0);
}

function measureJs(m: Extract<Measurement, { kind: 'js' }>, log: (line: string) => void): MeasurementResult {
  const plan = queryPlan(m.query);
  let t = performance.now();
  const table = readCsvFile(m.file);
  const setupSeconds = since(t);
  log(`  js: read ${table.rows.length} rows in ${setupSeconds.toFixed(2)} s`);
  const runSeconds: number[] = [];
  let answer: QueryAnswer | undefined;
  for (let i = 0; i < m.repeats; i++) {
    t = performance.now();
    answer = answerOfVector(m.query, plan, evaluateLocally(plan, table));
    runSeconds.push(since(t));
    log(`  js ${m.query} run ${i + 1}: ${runSeconds.at(-1)!.toFixed(2)} s`);
  }
  return { rows: table.rows.length, setupSeconds, runSeconds, ...(answer ? { answer } : {}) };
}

/** The training data set: the orders' numeric and categorical columns (a consent policy's list), label `returned`. */
export const TRAINING_COLUMNS = [
  'quantity',
  'unit_price',
  'order_value',
  'discount',
  'category',
  'region',
  'channel',
  'returned',
];

/**
 * One FIT of a logistic regression of `returned`, one epoch (batch 256, validation 20%), through the participant's
 * localFit: timed alone, after opening the data, profiling it and the standardisation statistics.
 */
async function measureTraining(
  m: Extract<Measurement, { kind: 'train' }>,
  log: (line: string) => void,
): Promise<MeasurementResult> {
  let t = performance.now();
  const data = new LocalData(
    { orders: { type: 'parquet', path: m.file, exclude: [], columns: TRAINING_COLUMNS } },
    { cellBudget: m.cellBudget },
  );
  try {
    await data.open();
    const inMemory = data.inMemory('orders');
    const base: tessera.v1.ITask = { ref: { jobId: 'bench-data', round: 1 }, dataset: 'orders', label: 'returned' };
    const features = schemaReport(data, base).columns.map((c) => columnProfileToProto(c));
    const stats = (await localStatistics(data, { ...base, features })).vector;
    if (!stats) throw new Error(`${m.file}: the statistics stage returned no vector`);
    const d = (stats.length - 1) / 2;
    const s = standardisationFrom({ count: stats[0]!, sum: stats.slice(1, d + 1), sumSquares: stats.slice(d + 1) });
    const task: tessera.v1.ITask = {
      ...base,
      features,
      modelLength: d + 1,
      mean: Array.from(s.mean),
      std: Array.from(s.std),
      training: { seed: 'bench-data', validationFraction: 0.2, epochs: 1, batchSize: 256, learningRate: 0.1 },
    };
    const setupSeconds = since(t);
    log(
      `  train ${m.path}: opened, profiled and standardised in ${setupSeconds.toFixed(2)} s (in memory: ${inMemory})`,
    );
    t = performance.now();
    const fit = await localFit(data, task, new Float64Array(d + 1), 'p1');
    const runSeconds = [since(t)];
    log(`  train ${m.path}: one epoch over ${fit.numExamples} examples in ${runSeconds[0]!.toFixed(2)} s`);
    return {
      rows: data.rowCount('orders'),
      setupSeconds,
      runSeconds,
      examples: fit.numExamples,
      meanLoss: Number(fit.metrics.train_loss ?? Number.NaN),
      inMemory,
    };
  } finally {
    await data.close();
  }
}
