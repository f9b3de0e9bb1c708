export { HeError, type HeErrorCode } from './errors.js';
export { free, loadSeal, scope, sealLoaded, wasmHeapBytes, type Deletable, type SealLibrary } from './seal.js';
export {
  BFV_DEGREES,
  chooseBfvParameters,
  plainModulusOf,
  validateBfvParameters,
  type BfvParameterRequest,
  type BfvParameters,
} from './bfv-parameters.js';
export { BfvAccumulator, BfvDecryptor, BfvEncryptor, BfvKeyPair, bfvChunkCount } from './bfv.js';
export { ciphertextMaxBytes } from './ciphertext-size.js';
export {
  ckksParametersFromJson,
  defaultCkksParameters,
  validateCkksParameters,
  type CkksParameters,
} from './ckks-parameters.js';
export { CkksDecryptor, CkksEncryptor, CkksEvaluator, CkksKeyPair } from './ckks.js';
export {
  foldedModel,
  ScoreAccumulator,
  ScoringAnalyst,
  ScoringParticipant,
  type LinearModel,
  type ScoringRequest,
  type SegmentCiphertexts,
} from './encrypted-scoring.js';
