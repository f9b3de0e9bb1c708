export * from './job-spec.js';
export * from './query-spec.js';
export * from './payout-spec.js';
export * from './score-spec.js';
export * from './overlap-spec.js';
export * from './query-noise.js';
export * from './valuation-count-noise.js';
export * from './query-valuation.js';
export * from './privacy-view.js';
export * from './payouts-view.js';
export * from './wire-json.js';
export * from './views-from-json.js';
export { checkQueryVectorLength, SPEC_CAPS, type SpecCap } from './spec-caps.js';
export { exactFractionBits, QUERY_MAX_RECORDS } from './query-encoding.js';
export * from './score-privacy.js';
export { parseSubmission, SUBMISSION_FIELD, type Submission } from './submission.js';
export {
  MAX_CLASSES,
  modelSectionOf,
  type ModelKindName,
  type ModelSection,
  type TrainingTask,
} from './job-spec-model.js';
export {
  scheduledLearningRate,
  type EarlyStopping,
  type LearningRateSchedule,
  type LocalSection,
  type StrategySection,
} from './job-spec-training.js';
export { builtInModelOfSpec, strategyOfSpec } from './job-model.js';
export * from './vertical-spec.js';
export * from './vertical-score-spec.js';
export * from './recommend-spec.js';
export * from './recommend-encoding.js';
export * from './recommend-privacy.js';
export * from './recommend-result.js';
export * from './catalogue-spec.js';
export * from './catalogue-privacy.js';
