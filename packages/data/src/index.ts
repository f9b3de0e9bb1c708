export { DataError, type DataLocation, type LineName } from './data-error.js';
export type { RawTable } from './raw-table.js';
export { parseCsv, toCsv } from './csv.js';
export { readCsvFile } from './csv-file.js';
export { selectRows } from './select-rows.js';
export { binaryLabel, numberValue } from './cell-values.js';
export type { AgreedSchema, ColumnKind, ColumnProfile, LocalSchema } from './schema.js';
export {
  profileTable,
  profileSummaries,
  summariseRows,
  tableSummaries,
  DEFAULT_MAX_CATEGORIES,
  type ProfileOptions,
  type SummarisedTable,
} from './profile.js';
export { ColumnSummariser, summariseTableColumn, type ColumnSummary } from './column-summaries.js';
export { agreeSchema } from './agree-schema.js';
export { encodeTable, featureNames, type EncodedData } from './encode.js';
export { trainTestSplit } from './train-test-split.js';
export { parseSplit, type SplitSpec } from './split-spec.js';
export { splitRows, type SplitOptions } from './split-rows.js';
export { dirichletSample } from './dirichlet.js';
export { generateCommerce, type CommerceOptions } from './commerce.js';
export { lineLookup } from './raw-table.js';
export {
  migrate,
  MIGRATIONS_TABLE,
  VERSION_ROW,
  SchemaTooNewError,
  MigrationListError,
  type Migration,
  type MigrationBook,
  type MigrateOptions,
  type SqliteConnection,
} from './sqlite-migrations.js';
export { BINARY_TARGET, labelCellReader, type LabelTarget } from './label-target.js';
