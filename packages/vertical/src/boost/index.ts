// SecureBoost (Cheng et al. 2019) over batched BFV, and the plaintext GBDT it must match.
export { binFeature, binOf, quantileEdges, type BinnedFeature } from './binning.js';
export { boostConfig, defaultBoostConfig, type BoostConfig } from './config.js';
export { predictGbdt, trainGbdt, type FeatureSplit, type GbdtModel } from './gbdt.js';
export { SecureBoostGuest, type BoostSplit, type GuestBoostModel, type GuestStats } from './guest.js';
export { boostHeParams, type BoostHeParams } from './he-context.js';
export { SecureBoostHost, SecureBoostHostScorer, type HostBoostModel, type HostSplit } from './host.js';
export type * from './messages.js';
export {
  scoreSecureBoost,
  trainSecureBoost,
  type SecureBoostInput,
  type SecureBoostResult,
  type TranscriptEntry,
} from './secureboost.js';
export type { Tree } from './tree.js';
