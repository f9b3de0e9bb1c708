import {
  DataError,
  encodeTable,
  lineLookup,
  profileSummaries,
  profileTable,
  readCsvFile,
  trainTestSplit,
  type AgreedSchema,
  type ColumnSummary,
  type EncodedData,
  type LabelTarget,
  type LocalSchema,
  type RawTable,
  type SummarisedTable,
} from '@tessera/data';
import { statSync } from 'node:fs';
import {
  LocalEngine,
  summariseForProfile,
  type DatasetDescription,
  type EngineOptions,
  type RowBatch,
  type SourceSpec,
} from '@tessera/engine';
import { seededRandom, standardise, takeRows, type LabeledData, type Standardisation } from '@tessera/ml';
import type { DatasetSource } from './config.js';
import type { ColumnUniqueness } from './query-guard.js';
import { measureUniqueness } from './query-uniqueness.js';
import { readSqliteTable } from './sources/sqlite-table.js';

/**
 * The most cells (rows x served columns) of a data set that the node reads into JavaScript; larger data sets are
 * only ever read by the engine, in batches (queries in DuckDB, training streamed).
 */
export const DEFAULT_CELL_BUDGET = 2 ** 22;
/** Files up to this size are read and checked at start by the JavaScript path (as they always were). */
const SMALL_FILE_BYTES = 64 * 2 ** 20;

export interface LocalDataOptions {
  /** See DEFAULT_CELL_BUDGET. */
  cellBudget?: number;
  /** The engine's settings (threads, memory limit, spill directory). */
  engine?: EngineOptions;
  /** Told as each data set starts opening and when it is open (a large file takes a while to count). */
  onProgress?: (event: OpenProgress) => void;
}

/** One step of opening the data: a data set being read, or read (with what was found and how long it took). */
export type OpenProgress =
  | { name: string; stage: 'opening' }
  | { name: string; stage: 'measuring'; rows: number }
  | { name: string; stage: 'open'; description: DatasetDescription; inMemory: boolean; seconds: number };

/** A configured source as the engine reads it. */
function engineSpec(s: DatasetSource): SourceSpec {
  switch (s.type) {
    case 'csv':
    case 'parquet':
      return { type: s.type, path: s.path };
    case 'sqlite':
      return { type: 'sqlite', path: s.path, table: s.table };
    case 'postgres':
      return { type: 'postgres', url: s.url, table: s.table };
  }
}

/**
 * Keeps only `columns` of a table (a consent policy's `datasets.NAME.columns`): no computation
 * ever sees the others. Names the file and the column when the data lacks one.
 */
function onlyColumns(t: RawTable, columns: string[], name: string, policy: string): RawTable {
  const at = columns.map((c) => {
    const i = t.columns.indexOf(c);
    if (i < 0) {
      throw new DataError(
        { source: t.source, column: c },
        `${policy}: datasets.${name}.columns lists "${c}", which this data does not have ` +
          `(its columns: ${t.columns.join(', ')}); fix the policy or the data`,
      );
    }
    return i;
  });
  // every row has a cell per column, and each i is one of them (checked above)
  return { ...t, columns: [...columns], rows: t.rows.map((r) => at.map((i) => r[i]!)) };
}

export interface PreparedData {
  train: LabeledData;
  validation: LabeledData;
  all: EncodedData;
}

/**
 * The participant's own data sets: read once, profiled and encoded locally; rows never leave. Every data set is
 * registered in the node's local engine (DuckDB) by `open()`; queries always run there. Data sets within the cell
 * budget are also read into JavaScript for training, scoring, PSI and vertical tasks; larger ones are streamed.
 */
export class LocalData {
  private readonly tables = new Map<string, RawTable>();
  private readonly encoded = new Map<string, EncodedData>();
  private readonly described = new Map<string, DatasetDescription>();
  private opening?: Promise<LocalEngine>;
  private opened?: LocalEngine;
  private readonly cellBudget: number;
  /** Large data sets: which columns identify rows, measured at open (query-uniqueness.ts). */
  private readonly uniqueness = new Map<string, Map<string, ColumnUniqueness>>();
  /** Large data sets: their columns summarised at open, so that `profile` answers synchronously (inside admission). */
  private readonly summaries = new Map<string, SummarisedTable>();

  constructor(
    private readonly sources: Record<string, DatasetSource>,
    private readonly opts: LocalDataOptions = {},
  ) {
    this.cellBudget = opts.cellBudget ?? DEFAULT_CELL_BUDGET;
  }

  /**
   * Opens the local engine and registers every data set (restricted to a consent policy's columns), reading each
   * one's row count; data sets within the cell budget that JavaScript cannot read directly (Parquet, PostgreSQL) are
   * read into memory through it. Idempotent; the first DataError is thrown (and thrown again on the next call).
   */
  open(): Promise<LocalEngine> {
    this.opening ??= this.openEngine();
    return this.opening;
  }

  private async openEngine(): Promise<LocalEngine> {
    const engine = await LocalEngine.open(this.opts.engine);
    try {
      const started = new Map<string, number>();
      for (const name of this.names()) {
        const s = this.source(name);
        started.set(name, performance.now());
        this.opts.onProgress?.({ name, stage: 'opening' });
        const d = await engine.register(name, this.specFor(name), s.columns);
        if (s.customerKey && !d.columns.some((c) => c.name === s.customerKey))
          throw new DataError(
            { source: d.source, column: s.customerKey },
            `datasets.${name}.customerKey names a column this data does not serve ` +
              `(its columns: ${d.columns.map((c) => c.name).join(', ')}); fix the config or the data`,
          );
        this.described.set(name, d);
        if (this.inMemory(name) && (s.type === 'parquet' || s.type === 'postgres'))
          this.tables.set(name, await readWhole(engine, name, d));
      }
      this.opened = engine;
      for (const name of this.names()) {
        const d = this.described.get(name)!; // registered above
        if (!this.inMemory(name)) {
          // Two more scans of a large data set: the query guard's identifier columns, and the training profile.
          this.opts.onProgress?.({ name, stage: 'measuring', rows: d.rows });
          this.uniqueness.set(name, await measureUniqueness(engine, name));
          this.summaries.set(name, await summarisedTable(engine, d));
        }
        const seconds = (performance.now() - started.get(name)!) / 1000;
        this.opts.onProgress?.({ name, stage: 'open', description: d, inMemory: this.inMemory(name), seconds });
      }
      return engine;
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  /**
   * What the engine reads for a data set: a small CSV or SQLite file as the JavaScript path parsed it (so that both
   * paths see the same cells, whatever the readers' dialects make of a file's corner cases), anything else from the
   * source itself.
   */
  private specFor(name: string): SourceSpec {
    const s = this.source(name);
    if ((s.type === 'csv' || s.type === 'sqlite') && small(s.path)) {
      const t = this.table(name);
      return { type: 'rows', source: t.source, columns: t.columns, rows: t.rows };
    }
    return engineSpec(s);
  }

  /** The open engine (after `open()`). */
  get engine(): LocalEngine {
    if (!this.opened) throw new Error('the local data is not open yet (await data.open() first)');
    return this.opened;
  }

  /** Closes the engine (its relations; the process's database closes with its last engine). */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opened = undefined;
    this.opening = undefined;
    this.described.clear();
    this.uniqueness.clear();
    this.summaries.clear();
    if (opening) await (await opening.catch(() => undefined))?.close();
  }

  /** What the engine read of a data set: its source, served columns and row count (after `open()`). */
  describe(name: string): DatasetDescription {
    this.source(name);
    const d = this.described.get(name);
    if (!d) throw new Error(`data set "${name}" is not open yet (await data.open() first)`);
    return d;
  }

  /**
   * Whether a data set is read into JavaScript (within the cell budget); before `open()` every data set is (the
   * JavaScript path reads CSV and SQLite directly).
   */
  inMemory(name: string): boolean {
    const d = this.described.get(name);
    if (!d) return true;
    return d.rows * Math.max(1, d.columns.length) <= this.cellBudget;
  }

  /** The data set's rows in batches of text cells, from the engine (after `open()`); `columns` must be served. */
  batches(name: string, columns?: readonly string[], batchRows?: number): AsyncGenerator<RowBatch> {
    return this.engine.batches(name, columns, batchRows);
  }

  /**
   * Whether each column identifies rows (the query guard's test): exact on the JavaScript table within the cell
   * budget, measured at open by the engine beyond it.
   */
  columnUniqueness(name: string): RawTable | ((column: string) => ColumnUniqueness) {
    if (this.inMemory(name)) return this.table(name);
    const m = this.uniqueness.get(name);
    if (!m) throw new Error(`data set "${name}" is not open yet (await data.open() first)`);
    return (column) => m.get(column) ?? { unique: false, ordered: false };
  }

  /** The consent policy that restricts the data set's columns (its datasets.NAME.columns), if one does. */
  columnsPolicy(name: string): string | undefined {
    const s = this.source(name);
    return s.columns ? (s.columnsFrom ?? 'the consent policy') : undefined;
  }

  /** The column the owner declared as the data set's customer key, if any. */
  customerKey(name: string): string | undefined {
    return this.source(name).customerKey;
  }

  /** The row count: the engine's when open, else the JavaScript table's. */
  rowCount(name: string): number {
    return this.described.get(name)?.rows ?? this.table(name).rows.length;
  }

  /** The served columns (before `exclude`): the engine's when open, else the JavaScript table's. */
  columnNames(name: string): string[] {
    const d = this.described.get(name);
    return d ? d.columns.map((c) => c.name) : this.table(name).columns;
  }

  names(): string[] {
    return Object.keys(this.sources);
  }

  private source(name: string): DatasetSource {
    const s = this.sources[name];
    if (!s)
      throw new DataError(
        { source: name },
        `this participant serves no data set "${name}" (it serves: ${this.names().join(', ') || 'none'})`,
      );
    return s;
  }

  /**
   * The whole data set as a JavaScript table (within the cell budget only: a larger data set is a DataError saying
   * which tasks stream it).
   */
  table(name: string): RawTable {
    let t = this.tables.get(name);
    if (!t) {
      const s = this.source(name);
      if (!this.inMemory(name)) {
        const d = this.describe(name);
        throw new DataError(
          { source: d.source },
          `data set "${name}" has ${d.rows} rows of ${d.columns.length} columns, more than this node reads into ` +
            `memory (${this.cellBudget} cells); queries and training stream it, this task kind cannot yet`,
        );
      }
      if (s.type === 'parquet' || s.type === 'postgres')
        throw new Error(`data set "${name}" is read through the local engine: await data.open() first`);
      t = s.type === 'csv' ? readCsvFile(s.path) : readSqliteTable(s.path, s.table);
      if (s.columns) t = onlyColumns(t, s.columns, name, s.columnsFrom ?? 'the consent policy');
      this.tables.set(name, t);
    }
    return t;
  }

  /**
   * The columns a task on this data set can see: the served columns (after a consent policy's restriction) minus
   * `exclude`.
   */
  servedColumns(name: string): string[] {
    const s = this.source(name);
    return this.columnNames(name).filter((c) => !s.exclude.includes(c));
  }

  /**
   * Checks, before joining, what can be checked at once: CSV and SQLite files up to 64 MiB are read (and must have
   * the columns a consent policy names); throws the first DataError. Larger files and other sources are checked
   * by `open()`.
   */
  validate(): void {
    for (const name of this.names()) {
      const s = this.source(name);
      if ((s.type === 'csv' || s.type === 'sqlite') && small(s.path)) this.table(name);
    }
  }

  /**
   * The data set's local schema (profileTable's rules and errors): from the table within the cell budget, from the
   * column summaries gathered at open beyond it (no row is read here).
   */
  profile(name: string, label: string, exclude: string[], features: string[], target?: LabelTarget): LocalSchema {
    const s = this.source(name);
    const opts = {
      exclude: [...new Set([...exclude, ...s.exclude])],
      ...(features.length ? { features } : {}),
      ...(target ? { target } : {}),
    };
    if (this.inMemory(name)) return profileTable(this.table(name), label, opts);
    const summarised = this.summaries.get(name);
    if (!summarised) throw new Error(`data set "${name}" has no column summaries yet (await data.open() first)`);
    return profileSummaries(summarised, label, opts);
  }

  /** Whether opening summarised the data set's columns (it does for every data set beyond the cell budget). */
  hasSummaries(name: string): boolean {
    return this.summaries.has(name);
  }

  encode(name: string, schema: AgreedSchema): EncodedData {
    const key = `${name}\u0000${JSON.stringify(schema)}`;
    let e = this.encoded.get(key);
    if (!e) {
      e = encodeTable(this.table(name), schema);
      this.encoded.clear();
      this.encoded.set(key, e);
    }
    return e;
  }

  /**
   * Standardised train and validation parts; the split is deterministic per job and participant
   * (`seed`). Under differential privacy callers pass validationFraction 0 (local-compute.ts):
   * a split by a seed the coordinator knows would let it choose which records train.
   */
  prepare(
    name: string,
    schema: AgreedSchema,
    standardisation: Standardisation,
    validationFraction: number,
    seed: string,
  ): PreparedData {
    const all = this.encode(name, schema);
    const z = standardise(all, standardisation);
    const data: LabeledData = { ...z, y: all.y };
    if (validationFraction <= 0 || all.n < 4) return { train: data, validation: data, all };
    // Stratified by class; a regression label is split without strata (each value would be its own).
    const strata = schema.target?.task === 'regression' ? undefined : all.y;
    const { train, test } = trainTestSplit(all.n, validationFraction, seededRandom(seed), strata);
    return { train: takeRows(data, train), validation: takeRows(data, test), all };
  }
}

/** A file is small enough to read at start (a missing file is read too, for its error). */
function small(path: string): boolean {
  try {
    return statSync(path).size <= SMALL_FILE_BYTES;
  } catch {
    return true;
  }
}

/**
 * Distinct values kept per column in a large data set's summaries: well above any category cap, enough to check a
 * multiclass label value by value. A column with more is reported as having "more than" this many.
 */
export const SUMMARY_DISTINCT_LIMIT = 1024;

/**
 * Every served column of a large data set summarised in the engine (profile-summary.ts in @tessera/engine: the same
 * summaries as ColumnSummariser fed every row), memory bounded by SUMMARY_DISTINCT_LIMIT values a column.
 */
async function summarisedTable(engine: LocalEngine, d: DatasetDescription): Promise<SummarisedTable> {
  const columns = d.columns.map((c) => c.name);
  const { rows, summaries } = await summariseForProfile(engine, d.name, SUMMARY_DISTINCT_LIMIT, columns);
  return {
    source: d.source,
    columns,
    rows,
    lineOf: (row) => row + 1,
    lineName: 'row',
    summary: (column) => summaries.get(column) as ColumnSummary, // profileSummaries asks only for listed columns
  };
}

/** A data set within the cell budget, read whole from the engine into a JavaScript table. */
async function readWhole(engine: LocalEngine, name: string, d: DatasetDescription): Promise<RawTable> {
  const rows: string[][] = [];
  for await (const batch of engine.batches(name)) for (const r of batch.rows) rows.push(r);
  return {
    source: d.source,
    columns: d.columns.map((c) => c.name),
    rows,
    lineOf: lineLookup(rows.map((_, i) => i + 1)),
    lineName: 'row',
  };
}
