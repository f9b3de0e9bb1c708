import { resolve } from 'node:path';
import { UsageError } from './ui/errors.js';

/** Where a `--dataset NAME=SOURCE` flag says a data set's rows are. */
export type DatasetLocation =
  | { type: 'csv' | 'parquet'; path: string }
  | { type: 'sqlite'; path: string; table: string }
  | { type: 'postgres'; url: string; table: string };

export const DATASET_FLAG_FORMS =
  'NAME=file.csv, NAME=file.parquet, NAME=sqlite:file.db:table or NAME=postgres://user:password@host/db#table';

/**
 * Parses `NAME=SOURCE`: a .parquet path is Parquet, `sqlite:FILE:TABLE` a SQLite table, a postgres:// url with
 * `#TABLE` a PostgreSQL table or view, anything else a CSV file. Paths are resolved against the current directory.
 */
export function parseDatasetFlag(spec: string): [string, DatasetLocation] {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--dataset "${redact(spec)}" must look like ${DATASET_FLAG_FORMS}`);
  const name = spec.slice(0, eq),
    source = spec.slice(eq + 1);
  if (source.startsWith('sqlite:')) {
    const [, path, table] = source.split(':');
    if (!path || !table) throw new UsageError(`--dataset "${spec}": a SQLite source is sqlite:FILE:TABLE`);
    return [name, { type: 'sqlite', path: resolve(path), table }];
  }
  if (/^postgres(ql)?:\/\//.test(source)) {
    const hash = source.lastIndexOf('#');
    const table = hash > 0 ? source.slice(hash + 1) : '';
    if (!table)
      throw new UsageError(
        `--dataset "${name}=${redact(source)}": name the table or view after the url, e.g. postgres://...#orders`,
      );
    return [name, { type: 'postgres', url: source.slice(0, hash), table }];
  }
  if (!source) throw new UsageError(`--dataset "${spec}" names no source; use ${DATASET_FLAG_FORMS}`);
  return [name, { type: /\.parquet$/i.test(source) ? 'parquet' : 'csv', path: resolve(source) }];
}

/** A flag's text with any url password hidden. */
function redact(text: string): string {
  return text.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@');
}
