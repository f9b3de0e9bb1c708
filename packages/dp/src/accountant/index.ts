export { PrivacyParameterError } from './errors.js';
export {
  validateEpsilon,
  validateDelta,
  validateSampleRate,
  validateSteps,
  validateOrders,
  validateOrder,
} from './errors.js';
export { DEFAULT_ORDERS, resolveOrders } from './orders.js';
export { subsampledGaussianRdp, subsampledGaussianRdpVector } from './subsampled-gaussian.js';
export {
  gaussianRdp,
  gaussianRdpVector,
  gaussianZcdp,
  discreteGaussianRdp,
  discreteGaussianZcdp,
  skellamRdp,
  skellamRdpVector,
  zcdpToRdpVector,
} from './mechanisms.js';
export { epsilonFor, deltaFor, zcdpDelta, zcdpEpsilon, type EpsilonResult, type DeltaResult } from './conversion.js';
export { RdpAccountant, type RdpAccountantJson } from './composition.js';
export {
  analyticGaussianSigma,
  gaussianDelta,
  noiseMultiplierFor,
  type NoiseMultiplierOptions,
} from './calibration.js';
export { erfc, logErfc, normalCdf, logNormalCdf, logAdd, logSub } from './log-math.js';
export {
  type DistributedDiscreteGaussianParams,
  distributedDiscreteGaussianTau,
  distributedDiscreteGaussianZcdp,
  distributedDiscreteGaussianRdp,
  distributedDiscreteGaussianRdpVector,
} from './distributed-discrete-gaussian.js';
