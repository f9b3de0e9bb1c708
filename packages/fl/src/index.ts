export type { ConfigValue, FitPlan, SummedUpdates, EvaluationReport, Strategy } from './strategy.js';
export type { FedAvgOptions } from './fedavg.js';
export { FedAvg } from './fedavg.js';
export { createStrategy, knownStrategies } from './registry.js';
export { weightedMean, weightedMeanMetrics } from './weighted-metrics.js';
export { StreamingSum } from './streaming-sum.js';
export type { Chunk } from './chunks.js';
export { chunksOf, ChunkAssembler } from './chunks.js';
export { deltaOf } from './delta.js';
export { logisticConfigFrom } from './local-config.js';
export * from './quantise/index.js';
export * from './private-statistics/index.js';
export {
  calibrateJobNoise,
  epsilonOfRdp,
  jobEpsilon,
  jobRdp,
  type JobPrivacyCost,
} from './privacy/job-privacy-cost.js';
export {
  noiseShareVariance,
  NoiseShareError,
  survivorFloor,
  tolerableColluders,
  type ShareSizing,
} from './privacy/noise-shares.js';
export { poissonSample, sampleWithoutReplacement } from './sample.js';
export { releaseSensitivity, SensitivityError, type ReleaseShape } from './privacy/release-sensitivity.js';
export { secretRecordRandomness, selectRecords, type RecordRandomness } from './privacy/record-randomness.js';
