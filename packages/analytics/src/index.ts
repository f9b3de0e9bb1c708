export {
  AGGREGATE_FUNCTIONS,
  canonicalName,
  outputName,
  conditionColumns,
  type AggregateFunction,
  type AggregateItem,
  type ColumnItem,
  type SelectItem,
  type Literal,
  type ComparisonOp,
  type Condition,
  type Query,
} from './query.js';
export { QueryError, parseQuery, SUBSET_SUMMARY } from './parse.js';
export {
  planQuery,
  checkColumns,
  DEFAULT_BINS,
  TOPK_DEFAULTS,
  TOPK_SEED,
  MAX_GROUP_COLUMNS,
  MAX_VECTOR_LENGTH,
  MAX_ROWS_PER_USER,
  type QueryOptions,
  type QueryPlan,
  type PrivacyUnit,
  type CustomerUnit,
  type GroupLayout,
  type Slot,
  type SlotKind,
  type Section,
  type Output,
} from './plan.js';
export { evaluateLocally, isMissing, cellNumber, compileGroupOf, binOf } from './evaluate.js';
export { capRowsPerUser, type CapReport } from './customer-cap.js';
export { suppressSmallGroups, type SmallGroupReport } from './min-group.js';
export { decodeResult, runPooled, type QueryResult, type ResultRow } from './decode.js';
export { consistentTree, pathNodes, quantilesFromBins, QUANTILE_LEVELS } from './tree.js';
export { decodeHeavyHitters, itemBytes, itemCounters, bytesItem, murmur3 } from './sketch.js';
