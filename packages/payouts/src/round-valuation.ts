import { exactShapley } from './exact-shapley.js';
import { CachedGame, type Game } from './game.js';
import { checkRounds, gtgShapley, type GtgOptions } from './gtg-shapley.js';
import { leaveOneOut } from './leave-one-out.js';
import { recordsValuation } from './records.js';
import { tmcShapley } from './tmc-shapley.js';

export type ValuationMethod = 'records' | 'loo' | 'shapley' | 'tmc' | 'gtg';
export const VALUATION_METHODS: readonly ValuationMethod[] = ['records', 'loo', 'shapley', 'tmc', 'gtg'];

/** What a valuation found and what it cost. */
export interface ValuationReport {
  method: ValuationMethod;
  values: number[];
  /** Utility computations actually run, summed over rounds: the model evaluations, the cost of a method. */
  evaluations: number;
  permutations?: number;
  roundsSkipped?: number;
  seconds: number;
}

/** Throws unless `method` is one of VALUATION_METHODS. */
export function checkMethod(method: string): asserts method is ValuationMethod {
  if (!(VALUATION_METHODS as readonly string[]).includes(method)) {
    throw new RangeError(`method must be one of ${VALUATION_METHODS.join(', ')}, got "${method}"`);
  }
}

/** A per-round seed derived from the caller's seed, so rounds sample independently yet reproducibly. */
const roundSeed = (seed: string | number | undefined, t: number) =>
  seed === undefined ? undefined : `${String(seed)}/round-${t}`;

/** Sums a per-round valuation over the rounds (the multi-round reconstruction of Song, Tong and Wei 2019). */
function sumOverRounds(
  rounds: readonly Game[],
  value: (game: CachedGame, t: number) => { values: number[]; permutations?: number },
) {
  const n = checkRounds(rounds);
  const values = new Array<number>(n).fill(0);
  let evaluations = 0,
    permutations = 0;
  rounds.forEach((round, t) => {
    const game = new CachedGame(round);
    const r = value(game, t);
    r.values.forEach((v, i) => {
      values[i]! += v;
    }); // one value per player
    evaluations += game.evaluations;
    permutations += r.permutations ?? 0;
  });
  return { values, evaluations, permutations };
}

/** Values each player over the rounds' games; `records` is needed for method 'records' only. */
export function valueRounds(
  method: ValuationMethod,
  rounds: readonly Game[],
  options: GtgOptions & { records?: readonly number[] } = {},
): ValuationReport {
  checkMethod(method);
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  switch (method) {
    case 'records': {
      if (!options.records)
        throw new RangeError('records must be given for method "records" (one record count per participant)');
      return { method, values: recordsValuation(options.records), evaluations: 0, seconds: seconds() };
    }
    case 'loo': {
      const r = sumOverRounds(rounds, (game) => ({ values: leaveOneOut(game) }));
      return { method, values: r.values, evaluations: r.evaluations, seconds: seconds() };
    }
    case 'shapley': {
      const r = sumOverRounds(rounds, (game) => ({ values: exactShapley(game) }));
      return { method, values: r.values, evaluations: r.evaluations, seconds: seconds() };
    }
    case 'tmc': {
      const r = sumOverRounds(rounds, (game, t) => tmcShapley(game, { ...options, seed: roundSeed(options.seed, t) }));
      return { method, values: r.values, evaluations: r.evaluations, permutations: r.permutations, seconds: seconds() };
    }
    case 'gtg': {
      const r = gtgShapley(rounds, options);
      return { method, ...r, seconds: seconds() };
    }
  }
}
