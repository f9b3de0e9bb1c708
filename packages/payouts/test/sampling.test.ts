import { describe, expect, it } from 'vitest';
import { exactShapley, gtgShapley, tmcShapley, valueRounds, VALUATION_METHODS, type Game } from '../src/index.js';
import { accuracyGame, fnGame, relativeL1, relativeLinf } from './games.js';

const SEEDS = [0, 1, 2, 3, 4];

/** Ten federated rounds whose improvements halve each round (the last one is below the between-round tolerance). */
const federatedRounds = (n: number): Game[] =>
  Array.from({ length: 10 }, (_, t) => accuracyGame(`round-${n}-${t}`, n, 0.5 ** t, 0.5 + 0.2 * (1 - 0.5 ** t)));

describe('tmcShapley', () => {
  // measured on these seeds: worst relative L1 error 0.142 (6 players) and 0.125 (8), worst L-infinity 0.245
  it.each([6, 8])('is within 25%% (L1) and 35%% (L-infinity) of exact Shapley on a %i-player accuracy game', (n) => {
    const game = accuracyGame(`single-${n}`, n);
    const exact = exactShapley(game);
    for (const seed of SEEDS) {
      const r = tmcShapley(game, { seed });
      expect(relativeL1(r.values, exact), `seed ${seed}`).toBeLessThan(0.25);
      expect(relativeLinf(r.values, exact), `seed ${seed}`).toBeLessThan(0.35);
      expect(r.evaluations).toBeLessThanOrEqual(2 ** n);
      expect(r.permutations).toBeGreaterThanOrEqual(40);
      expect(r.permutations).toBeLessThanOrEqual(1000);
    }
  });

  it('is exact on an additive game and reproducible from its seed', () => {
    const w = [1, 2, 3, 4, 5, 6];
    const game = fnGame(6, (m) => w.reduce((a, x, i) => a + ((m >> i) & 1) * x, 0));
    const r = tmcShapley(game, { seed: 'x', tolerance: 0 });
    r.values.forEach((v, i) => expect(v).toBeCloseTo(w[i], 9));
    expect(tmcShapley(game, { seed: 'x' })).toEqual(tmcShapley(game, { seed: 'x' }));
  });

  it('truncation saves evaluations on a 12-player game', () => {
    const game = accuracyGame('big', 12);
    const r = tmcShapley(game, { seed: 1, maxPermutations: 200 });
    expect(r.evaluations).toBeLessThan(2 ** 12 / 2);
    expect(relativeL1(r.values, exactShapley(game))).toBeLessThan(0.3);
  });

  it('stops at maxPermutations and checks its options', () => {
    expect(tmcShapley(accuracyGame('cap', 5), { seed: 1, maxPermutations: 7 }).permutations).toBe(7);
    expect(() => tmcShapley(accuracyGame('cap', 5), { maxPermutations: 0 })).toThrow(
      /maxPermutations must be a positive integer, got 0/,
    );
    expect(() => tmcShapley(accuracyGame('cap', 5), { tolerance: -1 })).toThrow(/tolerance/);
  });
});

describe('gtgShapley', () => {
  // measured: worst relative L1 error 0.053, worst L-infinity 0.100 (single round, 8 players)
  it.each([6, 8])('is within 10%% (L1) and 20%% (L-infinity) of exact Shapley on one %i-player round', (n) => {
    const game = accuracyGame(`single-${n}`, n);
    const exact = exactShapley(game);
    for (const seed of SEEDS) {
      const r = gtgShapley([game], { seed });
      expect(relativeL1(r.values, exact), `seed ${seed}`).toBeLessThan(0.1);
      expect(relativeLinf(r.values, exact), `seed ${seed}`).toBeLessThan(0.2);
      expect(r.roundsSkipped).toBe(0);
    }
  });

  // measured: worst relative L1 error 0.037, L-infinity 0.052; 440 of 640 (6 players) and 1462 of 2560 (8) evaluations
  it.each([6, 8])(
    'is within 8%% (L1) and 10%% (L-infinity) ' +
      'of per-round exact Shapley over 10 rounds of %i players, with fewer evaluations',
    (n) => {
      const rounds = federatedRounds(n);
      const exact = valueRounds('shapley', rounds);
      expect(exact.evaluations).toBe(2 ** n * rounds.length);
      for (const seed of SEEDS) {
        const r = valueRounds('gtg', rounds, { seed });
        expect(relativeL1(r.values, exact.values), `seed ${seed}`).toBeLessThan(0.08);
        expect(relativeLinf(r.values, exact.values), `seed ${seed}`).toBeLessThan(0.1);
        expect(r.roundsSkipped).toBe(1);
        expect(r.evaluations).toBeLessThan(0.8 * 2 ** n * rounds.length);
      }
    },
  );

  it("skips rounds that did not move the model and guides each permutation's first player", () => {
    const flat = fnGame(4, () => 0.7);
    const r = gtgShapley([flat, flat], { seed: 1 });
    expect(r).toEqual({ values: [0, 0, 0, 0], evaluations: 4, permutations: 0, roundsSkipped: 2 });
    const firsts: number[] = [];
    let prefixSeen = -1;
    const spy = fnGame(4, (m) => {
      if (m !== 0 && m !== 15 && (m & (m - 1)) === 0 && prefixSeen !== m) firsts.push(Math.log2(m));
      prefixSeen = m;
      return m === 0 ? 0 : 1 + m; // distinct utilities so no early truncation
    });
    gtgShapley([spy], { seed: 1, maxPermutations: 4, withinRoundTolerance: 0 });
    expect(firsts).toEqual([0, 1, 2, 3]);
  });

  it('refuses rounds over different players', () => {
    expect(() => gtgShapley([fnGame(3, () => 0), fnGame(4, () => 0)])).toThrow(
      /rounds\[1\] has 4 players where rounds\[0\] has 3/,
    );
    expect(() => gtgShapley([])).toThrow(/at least one round/);
  });
});

describe('valueRounds', () => {
  it('runs every method and reports its cost in model evaluations', () => {
    const rounds = federatedRounds(5);
    const records = [10, 20, 30, 40, 50];
    const reports = VALUATION_METHODS.map((m) => valueRounds(m, rounds, { seed: 3, records }));
    expect(reports.map((r) => r.method)).toEqual(['records', 'loo', 'shapley', 'tmc', 'gtg']);
    expect(reports[0].values).toEqual(records.map((r) => r / 150));
    expect(reports[0].evaluations).toBe(0);
    expect(reports[1].evaluations).toBe(6 * rounds.length);
    expect(reports[2].evaluations).toBe(32 * rounds.length);
    const efficiency = rounds.reduce((a, g) => a + g.utility(31) - g.utility(0), 0);
    expect(reports[2].values.reduce((a, b) => a + b, 0)).toBeCloseTo(efficiency, 12);
    for (const r of reports) expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(reports[3].permutations).toBeGreaterThan(0);
    expect(reports[4].roundsSkipped).toBe(1);
    expect(() => valueRounds('records', rounds)).toThrow(/records must be given/);
    expect(() => valueRounds('magic' as never, rounds)).toThrow(
      /method must be one of records, loo, shapley, tmc, gtg, got "magic"/,
    );
  });
});
