// Helpers shared by the workspaces' tests, imported as @tessera/test-support (an alias of tsconfig.test.json's
// paths, which vitest.config.ts reads too); not a package, and nothing under src/ may import it.
export { joinedRegExp } from './joined-regexp.js';
export { tempDir } from './temp-dir.js';
export { leastSquaresR2 } from './least-squares.js';
export {
  parsePrometheus,
  sampleValue,
  type PrometheusFamily,
  type PrometheusSample,
} from './prometheus.js';
