export { type Rational, type RationalLike, toRational, rationalFromNumber } from './rational.js';
export { uniformBelow, uniformBelowBig } from './uniform.js';
export { bernoulli, bernoulliExp, bernoulliExpMinusOne, bernoulliLazy } from './bernoulli.js';
export { discreteLaplaceSampler, sampleDiscreteLaplace } from './discrete-laplace.js';
export { discreteGaussianSampler, sampleDiscreteGaussian, varianceFromSigma } from './discrete-gaussian.js';
export { poissonSampler, samplePoisson } from './poisson.js';
export { skellamSampler, sampleSkellam } from './skellam.js';
export { addDiscreteGaussianNoise, addSkellamNoise, addNoiseModulo, centredResidue, sampleMany } from './vector.js';
export { type SamplerThroughput, samplerThroughput } from './throughput.js';
