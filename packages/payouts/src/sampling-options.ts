/** Options shared by the permutation-sampling estimators (TMC and GTG-Shapley). */
export interface SamplingOptions {
  /** Upper bound on sampled permutations (per round for GTG-Shapley); default 1000. */
  maxPermutations?: number;
  /** TMC truncation: a permutation stops once |U(N) - U(prefix)| <= tolerance·|U(N)|; default 0.01. */
  tolerance?: number;
  /** Stop once the estimates changed by less than this (relative, see `window`); default 0.01. */
  convergence?: number;
  /** Convergence compares the estimates with those `window` permutations earlier; default 20. */
  window?: number;
  /** Seed for reproducible sampling; without it the permutations come from node:crypto. */
  seed?: string | number;
}

/** The result of a sampling estimator on one game. */
export interface SampledValuation {
  values: number[];
  /** Distinct coalitions evaluated (each one is a model evaluation). */
  evaluations: number;
  permutations: number;
}

export const DEFAULT_MAX_PERMUTATIONS = 1000;
export const DEFAULT_TOLERANCE = 0.01;
export const DEFAULT_CONVERGENCE = 0.01;
export const DEFAULT_WINDOW = 20;

/** Throws unless `value` (an option named `name`) is undefined or satisfies `ok`. */
export function checkOption(
  name: string,
  value: number | undefined,
  ok: (v: number) => boolean,
  expected: string,
): void {
  if (value !== undefined && !(typeof value === 'number' && ok(value)))
    throw new RangeError(`${name} must be ${expected}, got ${value}`);
}

/** Validates the options shared by the samplers. */
export function checkSamplingOptions(o: SamplingOptions): void {
  checkOption('maxPermutations', o.maxPermutations, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
  checkOption('tolerance', o.tolerance, (v) => Number.isFinite(v) && v >= 0, 'a non-negative number');
  checkOption('convergence', o.convergence, (v) => Number.isFinite(v) && v >= 0, 'a non-negative number');
  checkOption('window', o.window, (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
}
