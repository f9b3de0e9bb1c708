export {
  LocalEngine,
  type ColumnDescription,
  type DatasetDescription,
  type EngineOptions,
  type RowBatch,
} from './engine.js';
export { sourceLabel, redactedUrl, type SourceSpec } from './source-spec.js';
export { checkedColumn, quoteIdentifier, quoteLiteral } from './identifiers.js';
export { sourceError } from './engine-error.js';
export { categorySql, isNumericType, missingSql, numberSql, trimmedSql } from './sql/cell-sql.js';
export { summariseColumns, type ColumnSummary, type SummaryOptions, type ValueCount } from './column-summary.js';
export { PREFIX_ROWS, summariseForProfile, type ProfileSummaryResult } from './profile-summary.js';
export { evaluateQuery, type QueryOutcome } from './query/evaluate-query.js';
export {
  DEFAULT_MERCHANTS,
  generateOrders,
  type GenerateOrdersOptions,
  type GeneratedOrders,
  type OrdersFormat,
  type OrdersProgress,
} from './synthetic/orders.js';
export { ORDER_COLUMNS } from './synthetic/orders-sql.js';
export { CATEGORIES, CHANNELS, REGIONS } from './synthetic/catalogue.js';
export { convertToParquet, type ConvertOptions, type ConvertResult } from './convert/to-parquet.js';
export { openSqliteReadOnly, sqliteCellText, storedSqliteTableName, type SqliteValue } from './sources/sqlite-names.js';
