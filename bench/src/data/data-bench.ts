// `npm run bench` part "data": merchant-sized data through the participant's local engine (issue 21), on synthetic
// orders (generateOrders, seed 21) generated once into a cache directory (data-cache.ts):
//   1. SELECT region, COUNT(*), AVG(order_value) ... GROUP BY region and SELECT HISTOGRAM(order_value) over 10^7 and
//      10^8 orders, Parquet and CSV, through Tessera's engine path (LocalEngine.register + evaluateQuery, what a
//      participant runs) against DuckDB's plain SQL on the same file on the same engine connection;
//   2. the old JavaScript path (readCsvFile + evaluateLocally) at 10^6 rows against the engine on the same CSV;
//   3. one training epoch (localFit, logistic regression of `returned`) from Parquet, streamed beyond the cell budget,
//      against the same rows in memory within a raised budget.
// Every measurement runs in a fresh child process, whose peak RSS (VmHWM) is reported with it. Options come from the
// environment, since `npm run bench` takes only part names: TESSERA_BENCH_DATA_SIZES (e.g. "1e7,1e8"),
// TESSERA_BENCH_DATA_QUICK=1 (10^6 rows, 10^5 for the JavaScript path and training), TESSERA_BENCH_DATA (the cache
// directory), TESSERA_BENCH_KEEP_DATA=1 (keep the data sets; they are deleted at the end otherwise).
import type { OrdersFormat } from '@tessera/engine';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { fixed, kibToMiB, secondsSince } from '../stats.js';
import { benchTable } from '../table.js';
import { cachedOrders, dataCacheDir, removeDataCache, type CachedOrders } from './data-cache.js';
import { runIsolated } from './data-isolated.js';
import type { MeasurementResult } from './data-measure.js';
import { TRAINING_COLUMNS } from './data-measure.js';
import { plainSql, QUERY_SQL, sameAnswer, type DataQuery } from './data-queries.js';

export interface DataBenchOptions {
  /** Orders in the query data sets (each in every format). */
  sizes: number[];
  formats: OrdersFormat[];
  queries: DataQuery[];
  /** Timed runs of each query up to 10^7 rows (the best is reported; the first is reported too). */
  repeats: number;
  /** Timed runs beyond 10^7 rows. */
  largeRepeats: number;
  /** Rows of the CSV the old JavaScript path reads whole. */
  jsRows: number;
  /** Rows of the Parquet file of the training epoch. */
  trainRows: number;
  keepData: boolean;
  cacheDir: string;
}

export const DATA_DEFAULTS: Omit<DataBenchOptions, 'cacheDir'> = {
  sizes: [1e7, 1e8],
  formats: ['parquet', 'csv'],
  queries: ['group', 'histogram'],
  repeats: 3,
  largeRepeats: 3,
  jsRows: 1e6,
  trainRows: 1e6,
  keepData: false,
};

/** The options the environment asks for (see the header). */
export function dataOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DataBenchOptions {
  const quick = env.TESSERA_BENCH_DATA_QUICK === '1';
  const sizes = env.TESSERA_BENCH_DATA_SIZES?.split(',').map((s) => Number(s.trim()));
  if (sizes?.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new Error(
      `TESSERA_BENCH_DATA_SIZES must list whole numbers of rows, e.g. "1e7,1e8"; got "${env.TESSERA_BENCH_DATA_SIZES}"`,
    );
  return {
    ...DATA_DEFAULTS,
    ...(quick ? { sizes: [1e6], jsRows: 1e5, trainRows: 1e5, repeats: 2 } : {}),
    ...(sizes ? { sizes } : {}),
    keepData: env.TESSERA_BENCH_KEEP_DATA === '1',
    cacheDir: dataCacheDir(),
  };
}

export interface Timing {
  /** The best of the timed runs, and the first (cold file cache for a fresh file). */
  seconds: number;
  firstSeconds: number;
  runs: number;
  /** Registering the file (engine: reads the row count), reading the CSV (JavaScript), opening the data (training). */
  setupSeconds: number;
  peakRssMiB: number;
}

export interface QueryRow {
  rows: number;
  format: OrdersFormat;
  query: DataQuery;
  fileGiB: number;
  engine: Timing;
  plain: Timing;
  /** engine.seconds / plain.seconds (goal: at most 1.5). */
  ratio: number;
  /** Counts equal, means within 1e-9, bins equal. */
  sameAnswer: boolean;
}

export interface JsRow {
  rows: number;
  query: DataQuery;
  js: Timing;
  engine: Timing;
  /** js.seconds / engine.seconds, and the same with each path's setup (read or register) added. */
  speedup: number;
  speedupWithSetup: number;
  sameAnswer: boolean;
}

export interface TrainingRow {
  path: 'streamed' | 'memory';
  rows: number;
  inMemory: boolean;
  cellBudget: number;
  examples: number;
  epochSeconds: number;
  examplesPerSecond: number;
  setupSeconds: number;
  meanLoss: number;
  peakRssMiB: number;
}

export interface DataBenchReport {
  benchmark: 'data';
  date: string;
  machine: MachineInfo;
  options: DataBenchOptions;
  queriesSql: Record<DataQuery, string>;
  plainSql: Record<DataQuery | 'from', string>;
  /** The types DuckDB's CSV sniffer gave region and order_value (the plain SQL's CSV reading). */
  csvTypes: Record<string, string>;
  datasets: CachedOrders[];
  queries: QueryRow[];
  js: JsRow[];
  training: TrainingRow[];
  trainingColumns: string[];
  /** Streamed examples/s over in-memory examples/s. */
  trainingThroughputRatio: number;
  /** Largest engine/plain ratio, and whether every ratio is at most 1.5. */
  worstRatio: number;
  goalMet: boolean;
  seconds: number;
  /** Every path gave the same answer, and the training paths were the ones asked for. */
  pass: boolean;
}

const timingOf = (r: MeasurementResult & { peakRssKiB: number }): Timing => ({
  seconds: fixed(Math.min(...r.runSeconds), 3),
  firstSeconds: fixed(r.runSeconds[0] ?? Number.NaN, 3),
  runs: r.runSeconds.length,
  setupSeconds: fixed(r.setupSeconds, 3),
  peakRssMiB: kibToMiB(r.peakRssKiB),
});

export async function runDataBench(
  log: (line: string) => void,
  o: DataBenchOptions = dataOptionsFromEnv(),
): Promise<DataBenchReport> {
  const t0 = performance.now();
  const machine = machineInfo();
  log(`machine: ${describeMachine(machine)}`);
  log(`data sets in ${o.cacheDir}`);
  const datasets: CachedOrders[] = [];
  const file = async (rows: number, format: OrdersFormat) => {
    const found = datasets.find((d) => d.rows === rows && d.format === format);
    if (found) return found;
    const d = await cachedOrders(o.cacheDir, rows, format, log);
    datasets.push(d);
    return d;
  };
  // every file first, smallest first, so that the timings do not overlap the generator
  await file(o.jsRows, 'csv');
  await file(o.trainRows, 'parquet');
  for (const rows of [...o.sizes].sort((a, b) => a - b)) for (const f of o.formats) await file(rows, f);

  let pass = true;
  let csvTypes: Record<string, string> = {};
  const queries: QueryRow[] = [];
  try {
    for (const rows of o.sizes) {
      for (const format of o.formats) {
        const d = await file(rows, format);
        for (const query of o.queries) {
          const repeats = rows > 1e7 ? o.largeRepeats : o.repeats;
          log(`${query} over ${rows} ${format} rows (${repeats} runs each)`);
          const m = { file: d.file, format, query, repeats };
          const engine = await runIsolated({ kind: 'engine', ...m }, log);
          const plain = await runIsolated({ kind: 'plain', ...m }, log);
          if (plain.csvTypes) csvTypes = plain.csvTypes;
          const same = !!engine.answer && !!plain.answer && sameAnswer(engine.answer, plain.answer);
          const row: QueryRow = {
            rows,
            format,
            query,
            fileGiB: fixed(d.bytes / 1024 ** 3, 2),
            engine: timingOf(engine),
            plain: timingOf(plain),
            ratio: fixed(Math.min(...engine.runSeconds) / Math.min(...plain.runSeconds), 2),
            sameAnswer: same && engine.rows === rows && plain.rows === rows,
          };
          pass &&= row.sameAnswer;
          queries.push(row);
          log(
            `  ${query} ${rows} ${format}: engine ${row.engine.seconds} s (register ${row.engine.setupSeconds} s, ` +
              `${row.engine.peakRssMiB} MiB), plain ${row.plain.seconds} s (${row.plain.peakRssMiB} MiB): ` +
              `${row.ratio}x; same answer: ${row.sameAnswer}`,
          );
        }
      }
    }

    const js: JsRow[] = [];
    const csv = await file(o.jsRows, 'csv');
    for (const query of o.queries) {
      log(`${query} over ${o.jsRows} CSV rows: the JavaScript path against the engine`);
      const m = { file: csv.file, query, repeats: o.repeats };
      const j = await runIsolated({ kind: 'js', ...m }, log);
      const e = await runIsolated({ kind: 'engine', format: 'csv', ...m }, log);
      const jt = timingOf(j);
      const et = timingOf(e);
      const row: JsRow = {
        rows: o.jsRows,
        query,
        js: jt,
        engine: et,
        speedup: fixed(jt.seconds / et.seconds, 1),
        speedupWithSetup: fixed((jt.seconds + jt.setupSeconds) / (et.seconds + et.setupSeconds), 1),
        sameAnswer: !!j.answer && !!e.answer && sameAnswer(j.answer, e.answer) && j.rows === e.rows,
      };
      pass &&= row.sameAnswer;
      js.push(row);
      log(
        `  ${query}: JavaScript ${jt.seconds} s after reading ${jt.setupSeconds} s (${jt.peakRssMiB} MiB), ` +
          `engine ${et.seconds} s after registering ${et.setupSeconds} s (${et.peakRssMiB} MiB); ` +
          `same answer: ${row.sameAnswer}`,
      );
    }

    const training: TrainingRow[] = [];
    const pq = await file(o.trainRows, 'parquet');
    const cells = o.trainRows * TRAINING_COLUMNS.length;
    for (const [path, cellBudget] of [
      ['streamed', Math.min(2 ** 22, Math.floor(cells / 2))],
      ['memory', cells],
    ] as const) {
      log(`one training epoch over ${o.trainRows} Parquet rows, ${path} (cell budget ${cellBudget})`);
      const r = await runIsolated({ kind: 'train', file: pq.file, path, cellBudget }, log);
      const epochSeconds = r.runSeconds[0] ?? Number.NaN;
      const row: TrainingRow = {
        path,
        rows: r.rows,
        inMemory: r.inMemory ?? false,
        cellBudget,
        examples: r.examples ?? 0,
        epochSeconds: fixed(epochSeconds, 3),
        examplesPerSecond: Math.round((r.examples ?? 0) / epochSeconds),
        setupSeconds: fixed(r.setupSeconds, 2),
        meanLoss: fixed(r.meanLoss ?? Number.NaN, 5),
        peakRssMiB: kibToMiB(r.peakRssKiB),
      };
      pass &&= row.inMemory === (path === 'memory') && row.rows === o.trainRows;
      training.push(row);
      log(
        `  ${path}: ${row.examples} examples in ${row.epochSeconds} s (${row.examplesPerSecond}/s), ` +
          `set up in ${row.setupSeconds} s, ${row.peakRssMiB} MiB`,
      );
    }
    const [streamed, memory] = training;
    // the same rows train on both paths, less a validation fifth (drawn per row when streamed, exact in memory)
    pass &&= training.every((x) => Math.abs(x.examples / x.rows - 0.8) < 0.01);

    const worstRatio = Math.max(...queries.map((q) => q.ratio));
    return {
      benchmark: 'data',
      date: new Date().toISOString(),
      machine,
      options: o,
      queriesSql: QUERY_SQL,
      plainSql: {
        group: plainSql('group', 'SRC'),
        histogram: plainSql('histogram', 'SRC'),
        from: 'SRC is read_parquet(FILE), or read_csv(FILE) with its types sniffed',
      },
      csvTypes,
      datasets,
      queries,
      js,
      training,
      trainingColumns: TRAINING_COLUMNS,
      trainingThroughputRatio: fixed((streamed?.examplesPerSecond ?? 0) / (memory?.examplesPerSecond ?? 1), 2),
      worstRatio,
      goalMet: worstRatio <= 1.5,
      seconds: fixed(secondsSince(t0), 1),
      pass,
    };
  } finally {
    if (!o.keepData) removeDataCache(o.cacheDir, log);
  }
}

export function renderDataBench(r: DataBenchReport): string {
  const t = (x: Timing) => [x.seconds, x.firstSeconds, x.peakRssMiB];
  return [
    `Merchant-sized data through the local engine (${r.seconds} s; pass: ${r.pass}; ` +
      `worst engine/plain ratio ${r.worstRatio}x, goal 1.5x: ${r.goalMet ? 'met' : 'not met'})`,
    benchTable(
      [
        'query',
        'rows',
        'format',
        'GiB',
        'engine s',
        'first',
        'MiB',
        'register s',
        'plain s',
        'first',
        'MiB',
        'ratio',
        'same',
      ],
      r.queries.map((q) => [
        q.query,
        q.rows,
        q.format,
        q.fileGiB,
        ...t(q.engine),
        q.engine.setupSeconds,
        ...t(q.plain),
        q.ratio,
        String(q.sameAnswer),
      ]),
      { 3: 2, 4: 2, 5: 2, 6: 0, 7: 2, 8: 2, 9: 2, 10: 0, 11: 2 },
    ),
    `CSV in plain SQL: read_csv sniffed ${Object.entries(r.csvTypes)
      .map(([c, ty]) => `${c} ${ty}`)
      .join(', ')}; the engine reads every CSV cell as VARCHAR and parses numbers as the JavaScript path does`,
    '',
    benchTable(
      ['query', 'rows', 'JS read s', 'JS eval s', 'JS MiB', 'register s', 'engine s', 'engine MiB', 'speedup', 'same'],
      r.js.map((j) => [
        j.query,
        j.rows,
        j.js.setupSeconds,
        j.js.seconds,
        j.js.peakRssMiB,
        j.engine.setupSeconds,
        j.engine.seconds,
        j.engine.peakRssMiB,
        j.speedup,
        String(j.sameAnswer),
      ]),
      { 2: 2, 3: 2, 4: 0, 5: 2, 6: 2, 7: 0, 8: 1 },
    ),
    '',
    benchTable(
      ['training epoch', 'rows', 'examples', 'epoch s', 'examples/s', 'setup s', 'MiB'],
      r.training.map((x) => [
        x.path,
        x.rows,
        x.examples,
        x.epochSeconds,
        x.examplesPerSecond,
        x.setupSeconds,
        x.peakRssMiB,
      ]),
      { 3: 2, 5: 2, 6: 0 },
    ),
    `streamed throughput / in-memory throughput: ${r.trainingThroughputRatio}`,
  ].join('\n');
}
