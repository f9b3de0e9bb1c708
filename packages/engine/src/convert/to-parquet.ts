// `convertToParquet`: a data set from any source (a CSV of any size, SQLite, PostgreSQL, Parquet) written to one
// Parquet file by DuckDB, at bounded memory: `tessera participant data import`.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '@tessera/data';
import { type ColumnDescription, LocalEngine } from '../engine.js';
import { sourceError } from '../engine-error.js';
import { quoteLiteral } from '../identifiers.js';
import { sourceLabel, type SourceSpec } from '../source-spec.js';
import { convertedColumns } from './infer-types.js';

export interface ConvertOptions {
  /**
   * text (default): every column keeps the source's type (a CSV's columns stay text, as the node reads them); infer:
   * text columns that hold only numbers become BIGINT or DOUBLE columns (see convertedColumns).
   */
  types?: 'text' | 'infer';
  /** DuckDB threads (default: the machine's cores). */
  threads?: number;
}

export interface ConvertResult {
  file: string;
  source: string;
  rows: number;
  columns: ColumnDescription[];
  bytes: number;
  seconds: number;
  types: 'text' | 'infer';
}

/** Writes the rows of `input` to the Parquet file `out` (replaced when complete; never the input itself). */
export async function convertToParquet(
  input: SourceSpec,
  out: string,
  opts: ConvertOptions = {},
): Promise<ConvertResult> {
  const started = performance.now();
  const types = opts.types ?? 'text';
  if (types !== 'text' && types !== 'infer') throw new RangeError(`types must be text or infer, got ${String(types)}`);
  const source = sourceLabel(input);
  if (!existsSync(dirname(resolve(out))))
    throw new DataError({ source: out }, 'the directory of the output file does not exist; create it first');
  if ('path' in input && resolve(input.path) === resolve(out))
    throw new DataError({ source: out }, 'the output file is the input file; write the Parquet file elsewhere');
  const partial = join(dirname(resolve(out)), `.${basename(out)}.${process.pid}.partial`);
  const engine = await LocalEngine.open({ threads: opts.threads ?? availableParallelism() });
  try {
    const d = await engine.register('input', input);
    const columns = await convertedColumns(engine, 'input', types);
    try {
      await engine.connection.run(
        `COPY (SELECT ${columns.map((c) => c.sql).join(', ')} FROM ${engine.relation('input')}) ` +
          `TO ${quoteLiteral(partial)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } catch (err) {
      throw sourceError(source, err);
    }
    renameSync(partial, out);
    return {
      file: out,
      source,
      rows: d.rows,
      columns: columns.map(({ name, type }) => ({ name, type })),
      bytes: statSync(out).size,
      seconds: (performance.now() - started) / 1000,
      types,
    };
  } finally {
    rmSync(partial, { force: true });
    await engine.close();
  }
}
