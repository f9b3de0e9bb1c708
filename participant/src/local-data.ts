import {
  DataError,
  encodeTable,
  profileTable,
  readCsvFile,
  trainTestSplit,
  type AgreedSchema,
  type EncodedData,
  type LabelTarget,
  type LocalSchema,
  type RawTable,
} from '@tessera/data';
import { seededRandom, standardise, takeRows, type LabeledData, type Standardisation } from '@tessera/ml';
import type { DatasetSource } from './config.js';
import { readSqliteTable } from './sources/sqlite-table.js';

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

/** The participant's own data sets: read once, profiled and encoded locally; rows never leave. */
export class LocalData {
  private readonly tables = new Map<string, RawTable>();
  private readonly encoded = new Map<string, EncodedData>();

  constructor(private readonly sources: Record<string, DatasetSource>) {}

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

  table(name: string): RawTable {
    let t = this.tables.get(name);
    if (!t) {
      const s = this.source(name);
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
    return this.table(name).columns.filter((c) => !s.exclude.includes(c));
  }

  /**
   * Checks every source can be read (and has the columns a consent policy names) before joining; throws the first
   * DataError.
   */
  validate(): void {
    for (const name of this.names()) this.table(name);
  }

  profile(name: string, label: string, exclude: string[], features: string[], target?: LabelTarget): LocalSchema {
    const s = this.source(name);
    return profileTable(this.table(name), label, {
      exclude: [...new Set([...exclude, ...s.exclude])],
      ...(features.length ? { features } : {}),
      ...(target ? { target } : {}),
    });
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
