export { DEFAULT_MODULUS, toRing, fromRing, checkModulus } from './ring.js';
export { stochasticRound } from './stochastic-round.js';
export { clipL2 } from './clip.js';
export {
  checkUpdateCodec,
  encodeUpdate,
  decodeUpdateSum,
  QuantisationError,
  type UpdateCodec,
} from './update-codec.js';
export {
  encodeWide,
  decodeWideSum,
  checkWideCodec,
  wideCodecOf,
  DEFAULT_WIDE,
  WIDE_DIGITS,
  type WideCodec,
} from './wide-codec.js';
export {
  encodeEvaluation,
  decodeEvaluationSum,
  EVALUATION_VALUES,
  BINARY_EVALUATION,
  evaluationValues,
  evaluationCodec,
  type EvaluationReportInput,
  type EvaluationShape,
} from './evaluation-codec.js';
export {
  addClippedRecord,
  decodeRecordSum,
  largestRecordLevel,
  recordSumToRing,
  type RecordCodec,
} from './record-codec.js';
export { encodeFixedPoint, decodeFixedPoint, fixedPointSensitivity } from './fixed-point.js';
export { summedUpdatesFrom, type SumDecoding } from './sum-decoding.js';
