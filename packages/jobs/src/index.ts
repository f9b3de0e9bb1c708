export * from './job-spec.js';
export * from './query-spec.js';
export * from './payout-spec.js';
export * from './score-spec.js';
export * from './overlap-spec.js';
export * from './query-noise.js';
export * from './privacy-view.js';
export * from './payouts-view.js';
