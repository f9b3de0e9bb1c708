import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DataError } from '@tessera/data';
import { sourceError } from './engine-error.js';
import { checkedColumn, quoteIdentifier } from './identifiers.js';
import { sourceLabel, type SourceSpec } from './source-spec.js';
import type { ColumnDescription } from './column-description.js';
import { registerSource } from './sources/register.js';

export type { ColumnDescription } from './column-description.js';

/** What the engine knows of a registered data set without reading its rows into JavaScript. */
export interface DatasetDescription {
  /** The data set's name in the node's config. */
  name: string;
  /** The source, for messages (a file, or a database and table; never a password). */
  source: string;
  /** The served columns, in source order (after a consent policy's restriction). */
  columns: ColumnDescription[];
  /** Row count. */
  rows: number;
}

export interface EngineOptions {
  /** DuckDB worker threads (default 2). */
  threads?: number;
  /** DuckDB's memory limit, e.g. '512MB' (default '512MB': the node's peak stays well under 1 GiB). */
  memoryLimit?: string;
  /** Where DuckDB spills (default: a fresh directory under the OS temp directory, removed on close). */
  tempDirectory?: string;
}

/** A batch of rows as text cells (NULL as ''), the way the JavaScript path sees a table. */
export interface RowBatch {
  columns: string[];
  rows: string[][];
  /** 0-based position of the batch's first row in the scan. */
  first: number;
}

/**
 * The participant's local engine: one in-process DuckDB database in which each data set is a view (files) or a
 * table copied in (SQLite, PostgreSQL). Rows never leave the process; SQL text is generated only from checked
 * column names (quoted) and owner-configured paths.
 */
export class LocalEngine {
  private readonly datasets = new Map<string, DatasetDescription & { relation: string }>();
  private closed = false;
  /** Relation names are unique in the process: engines of one process share a DuckDB database. */
  private static nextRelation = 0;

  private constructor(
    private readonly shared: SharedDatabase,
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * Opens an engine: a connection of its own to the process's DuckDB database (one per distinct options, shared by
   * the engines of one process, so that a simulation of hundreds of nodes runs one database with one thread pool
   * and one memory limit rather than hundreds).
   */
  static async open(opts: EngineOptions = {}): Promise<LocalEngine> {
    const shared = await SharedDatabase.acquire(opts);
    try {
      return new LocalEngine(shared, await shared.instance.connect());
    } catch (err) {
      shared.release();
      throw err;
    }
  }

  /**
   * Makes `name` a data set of this engine, read from `spec`; `columns` restricts it to those columns (a consent
   * policy's `datasets.NAME.columns`; a column the data lacks is a DataError naming the source). Reads the row count.
   */
  async register(name: string, spec: SourceSpec, columns?: readonly string[]): Promise<DatasetDescription> {
    this.checkOpen();
    const source = sourceLabel(spec);
    const relation = quoteIdentifier(`dataset_${LocalEngine.nextRelation++}_${name}`);
    let served: ColumnDescription[];
    let rows: number;
    try {
      const all = await registerSource(this.connection, relation, spec, source);
      served = columns ? restrict(all, columns, source) : all;
      const count = await this.connection.runAndReadAll(`SELECT count(*) AS n FROM ${relation}`);
      rows = Number(count.getRows()[0]![0]);
    } catch (err) {
      // The database is shared by the process's engines: a relation left here would outlive this engine.
      await this.drop(relation);
      throw sourceError(source, err);
    }
    const description = { name, source, columns: served, rows, relation };
    this.datasets.set(name, description);
    return { name, source, columns: served, rows };
  }

  names(): string[] {
    return [...this.datasets.keys()];
  }

  describe(name: string): DatasetDescription {
    const { relation: _, ...d } = this.dataset(name);
    return d;
  }

  /** The SQL relation (quoted) holding the data set's rows; only its served columns may be read from it. */
  relation(name: string): string {
    return this.dataset(name).relation;
  }

  /** The quoted identifier of a served column, or a DataError naming the data set and listing its columns. */
  column(name: string, column: string): string {
    const d = this.dataset(name);
    return checkedColumn(
      d.source,
      d.columns.map((c) => c.name),
      column,
    );
  }

  /**
   * A connection of its own to the engine's database, which reads this engine's relations. DuckDB ends a
   * connection's open streamed result, silently, when that connection runs another statement, and a node runs tasks
   * concurrently: every streamed read takes a connection of its own. The caller closes it (closeSync).
   */
  async connect(): Promise<DuckDBConnection> {
    this.checkOpen();
    return this.shared.instance.connect();
  }

  /**
   * The rows of `columns` (all served columns by default) in source order, as text cells, `batchRows` at a time. Memory
   * is one batch, whatever the table's size. The stream has a connection of its own (see connect).
   */
  async *batches(name: string, columns?: readonly string[], batchRows = 65_536): AsyncGenerator<RowBatch> {
    const d = this.dataset(name);
    const names = columns ? [...columns] : d.columns.map((c) => c.name);
    const list = names.map((c) => `CAST(${this.column(name, c)} AS VARCHAR)`).join(', ');
    const conn = await this.connect();
    try {
      let result: Awaited<ReturnType<DuckDBConnection['stream']>>;
      try {
        result = await conn.stream(`SELECT ${list} FROM ${d.relation}`);
      } catch (err) {
        throw sourceError(d.source, err);
      }
      let rows: string[][] = [];
      let first = 0;
      try {
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          for (const r of chunk.getRows()) rows.push(r.map((v) => (v === null ? '' : String(v))));
          if (rows.length >= batchRows) {
            yield { columns: names, rows, first };
            first += rows.length;
            rows = [];
          }
        }
      } catch (err) {
        throw sourceError(d.source, err);
      }
      if (rows.length) yield { columns: names, rows, first };
    } finally {
      conn.closeSync();
    }
  }

  /** Drops this engine's relations and connection; the database closes with its last engine. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const d of this.datasets.values()) await this.drop(d.relation);
    } finally {
      this.connection.closeSync();
      this.shared.release();
    }
  }

  /** Drops a relation of this engine, a view (files) or a table (database copies); errors are ignored. */
  private async drop(relation: string): Promise<void> {
    await this.connection.run(`DROP VIEW IF EXISTS ${relation}`).catch(() => undefined);
    await this.connection.run(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
  }

  private dataset(name: string) {
    this.checkOpen();
    const d = this.datasets.get(name);
    if (!d) {
      throw new DataError(
        { source: name },
        `this participant serves no data set "${name}" (it serves: ${this.names().join(', ') || 'none'})`,
      );
    }
    return d;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the local engine is closed');
  }
}

function restrict(all: ColumnDescription[], columns: readonly string[], source: string): ColumnDescription[] {
  return columns.map((c) => {
    const found = all.find((x) => x.name === c);
    if (!found) {
      throw new DataError(
        { source, column: c },
        `the consent policy lists this column, which this data does not have (its columns: ${all
          .map((x) => x.name)
          .join(', ')}); fix the policy or the data`,
      );
    }
    return found;
  });
}

/** A DuckDB database shared by the engines of one process that asked for the same options. */
class SharedDatabase {
  /** Per options: the database (being) opened and how many engines hold it, counted as they ask. */
  private static readonly entries = new Map<string, { db: Promise<SharedDatabase>; users: number }>();

  private constructor(
    readonly instance: DuckDBInstance,
    private readonly key: string,
    private readonly ownTemp: string | undefined,
  ) {}

  static async acquire(opts: EngineOptions): Promise<SharedDatabase> {
    const key = JSON.stringify([opts.threads ?? 2, opts.memoryLimit ?? '512MB', opts.tempDirectory ?? '']);
    let entry = SharedDatabase.entries.get(key);
    if (!entry) {
      entry = { db: SharedDatabase.create(opts, key), users: 0 };
      SharedDatabase.entries.set(key, entry);
    }
    entry.users++;
    try {
      return await entry.db;
    } catch (err) {
      if (--entry.users === 0 && SharedDatabase.entries.get(key) === entry) SharedDatabase.entries.delete(key);
      throw err;
    }
  }

  private static async create(opts: EngineOptions, key: string): Promise<SharedDatabase> {
    const ownTemp = opts.tempDirectory ? undefined : mkdtempSync(join(tmpdir(), 'tessera-engine-'));
    try {
      const instance = await DuckDBInstance.create(':memory:', {
        threads: String(opts.threads ?? 2),
        memory_limit: opts.memoryLimit ?? '512MB',
        temp_directory: opts.tempDirectory ?? ownTemp!,
        // extensions are never downloaded: parquet and json are built in, nothing else is needed
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
      return new SharedDatabase(instance, key, ownTemp);
    } catch (err) {
      if (ownTemp) rmSync(ownTemp, { recursive: true, force: true });
      throw err;
    }
  }

  /** One engine is done with the database; the last one closes it. */
  release(): void {
    const entry = SharedDatabase.entries.get(this.key);
    if (!entry || --entry.users > 0) return;
    SharedDatabase.entries.delete(this.key);
    this.instance.closeSync();
    if (this.ownTemp) rmSync(this.ownTemp, { recursive: true, force: true });
  }
}
