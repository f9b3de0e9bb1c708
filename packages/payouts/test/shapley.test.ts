import { seededRandom } from '@tessera/crypto';
import { describe, expect, it } from 'vitest';
import { CachedGame, exactShapley, leaveOneOut, recordsValuation, tableGame, type Game } from '../src/index.js';
import { bruteForceShapley, fnGame, randomGame } from './games.js';

const popcount = (m: number) => m.toString(2).replace(/0/g, '').length;
const close = (actual: readonly number[], expected: readonly number[], digits = 12) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v, `player ${i}`).toBeCloseTo(expected[i], digits));
};

describe('exactShapley on known games', () => {
  it('gives each player its own weight in an additive game', () => {
    const w = [3, -1, 0.5, 7, 2];
    const game = fnGame(5, (m) => w.reduce((a, x, i) => a + ((m >> i) & 1) * x, 10));
    close(exactShapley(game), w);
  });

  it('values the glove game: the scarce glove gets 2/3', () => {
    // player 0 holds a left glove, players 1 and 2 right gloves; a pair is worth 1
    const oneLeft = fnGame(3, (m) => Math.min(m & 1, popcount(m & 6)));
    close(exactShapley(oneLeft), [2 / 3, 1 / 6, 1 / 6]);
    const twoLeft = fnGame(3, (m) => Math.min(popcount(m & 3), (m >> 2) & 1));
    close(exactShapley(twoLeft), [1 / 6, 1 / 6, 2 / 3]);
  });

  it('gives the Shapley-Shubik indices of the weighted majority game [4; 3, 2, 1, 1]', () => {
    const weights = [3, 2, 1, 1];
    const game = fnGame(4, (m) => (weights.reduce((a, w, i) => a + ((m >> i) & 1) * w, 0) >= 4 ? 1 : 0));
    close(exactShapley(game), [1 / 2, 1 / 6, 1 / 6, 1 / 6]); // by hand: A pivotal in 12 of 24 orders, B, C, D in 4 each
    close(exactShapley(game), bruteForceShapley(game));
  });

  it('values the three-player example: a = b = 1.5, c = 0', () => {
    // masks: a = 1, b = 2, c = 4
    const game = tableGame(3, [0, 1, 1, 3, 0, 1, 1, 3]);
    close(exactShapley(game), [1.5, 1.5, 0]);
  });

  it('evaluates each coalition exactly once and refuses games too large to enumerate', () => {
    const cached = new CachedGame(fnGame(6, (m) => m));
    let calls = 0;
    exactShapley({
      players: 6,
      utility: (m) => {
        calls++;
        return cached.utility(m);
      },
    });
    expect(calls).toBe(64);
    expect(cached.evaluations).toBe(64);
    expect(() => exactShapley(fnGame(25, () => 0))).toThrow(/players must be an integer from 1 to 24/);
  });
});

describe('Shapley axioms on random games', () => {
  const random = seededRandom('payouts/shapley-axioms');
  const cases = Array.from({ length: 240 }, (_, k) => ({ k, n: 1 + (k % 7) }));

  it.each([['efficiency'], ['symmetry'], ['null player'], ['additivity'], ['brute force']])(
    '%s holds on 240 random games with 1 to 7 players',
    (axiom) => {
      for (const { k, n } of cases) {
        const u = randomGame(random, n);
        const phi = exactShapley(u);
        const all = 2 ** n - 1;
        const at = `game ${k} (${n} players)`;
        switch (axiom) {
          case 'efficiency':
            expect(
              phi.reduce((a, b) => a + b, 0),
              at,
            ).toBeCloseTo(u.utility(all) - u.utility(0), 9);
            break;
          case 'symmetry': {
            if (n < 2) break;
            // make players 0 and 1 interchangeable: u'(S) = u(S with 0 and 1 sorted so that 0 joins first)
            const sym: Game = fnGame(n, (m) => {
              const both = m & 3;
              return u.utility(both === 2 ? (m & ~3) | 1 : m);
            });
            const s = exactShapley(sym);
            expect(s[0], at).toBeCloseTo(s[1], 9);
            break;
          }
          case 'null player': {
            // player n-1 of a one-larger game adds nothing to any coalition
            if (n > 6) break;
            const dummy = fnGame(n + 1, (m) => u.utility(m & all));
            const d = exactShapley(dummy);
            expect(d[n], at).toBeCloseTo(0, 12);
            d.slice(0, n).forEach((v, i) => expect(v, `${at} player ${i}`).toBeCloseTo(phi[i], 9));
            // a player adding u({i}) - u(∅) to every coalition gets exactly that
            const c = 1.25;
            const constant = fnGame(n + 1, (m) => u.utility(m & all) + ((m >> n) & 1) * c);
            expect(exactShapley(constant)[n], at).toBeCloseTo(c, 12);
            break;
          }
          case 'additivity': {
            const v = randomGame(random, n);
            const sum = fnGame(n, (m) => u.utility(m) + v.utility(m));
            const pv = exactShapley(v);
            exactShapley(sum).forEach((x, i) => expect(x, `${at} player ${i}`).toBeCloseTo(phi[i] + pv[i], 9));
            break;
          }
          case 'brute force':
            if (n > 6) break;
            bruteForceShapley(u).forEach((x, i) => expect(phi[i], `${at} player ${i}`).toBeCloseTo(x, 9));
            break;
        }
      }
    },
  );
});

describe('leaveOneOut and recordsValuation', () => {
  it('leave-one-out is U(N) - U(N \\ {i})', () => {
    const game = tableGame(3, [0, 1, 1, 3, 0, 1, 1, 3]);
    expect(leaveOneOut(game)).toEqual([2, 2, 0]);
  });

  it('records are normalised to sum 1 and must be non-negative', () => {
    expect(recordsValuation([1, 3, 0])).toEqual([0.25, 0.75, 0]);
    expect(recordsValuation([0, 0])).toEqual([0, 0]);
    expect(() => recordsValuation([1, -2])).toThrow(/records\[1\] must be a non-negative finite number, got -2/);
    expect(() => recordsValuation([NaN])).toThrow(/records\[0\]/);
  });

  it('tableGame checks its table', () => {
    expect(() => tableGame(2, [0, 1, 2])).toThrow(/2\^2 = 4 entries, got 3/);
    expect(() => tableGame(2, [0, 1, NaN, 2])).toThrow(/utilities\[2\]/);
  });
});
