export type {
  ConfigValue,
  FitPlan,
  SummedUpdates,
  EvaluationReport,
  Strategy,
  StrategyState,
} from './strategy.js';
export { FedAvg, type FedAvgOptions } from './strategies/fedavg.js';
export { FedAvgM, type FedAvgMOptions } from './strategies/fedavgm.js';
export { FedProx, type FedProxOptions } from './strategies/fedprox.js';
export { AdaptiveStrategy, type AdaptiveOptions } from './strategies/adaptive.js';
export { FedAdam } from './strategies/fedadam.js';
export { FedYogi } from './strategies/fedyogi.js';
export { FedAdagrad, type FedAdagradOptions } from './strategies/fedadagrad.js';
export { FitSampling, type FitOptions } from './strategies/fit-sampling.js';
export { SumStrategy } from './strategies/sum-strategy.js';
export { StrategyOptionError } from './strategies/option-checks.js';
export { createStrategy, knownStrategies, strategyOptionsOf } from './registry.js';
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
