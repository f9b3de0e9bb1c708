import { describe, expect, it } from 'vitest';
import {
  addMoments,
  matrixFromRows,
  momentsOf,
  seededRandom,
  standardisationFrom,
  standardise,
  type Matrix,
} from '../src/index.js';

function randomMatrix(n: number, d: number, seed: string): Matrix {
  const rng = seededRandom(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = 5 + 3 * rng.gaussian() + (i % d);
  return { x, n, d };
}

function concat(...ms: Matrix[]): Matrix {
  const x = new Float64Array(ms.reduce((s, m) => s + m.x.length, 0));
  let at = 0;
  for (const m of ms) {
    x.set(m.x, at);
    at += m.x.length;
  }
  return { x, n: ms.reduce((s, m) => s + m.n, 0), d: ms[0].d };
}

describe('feature moments', () => {
  it('gives the mean and population std of a direct two-pass computation', () => {
    const m = randomMatrix(500, 4, 'moments');
    const s = standardisationFrom(momentsOf(m));
    for (let j = 0; j < m.d; j++) {
      let mean = 0;
      for (let i = 0; i < m.n; i++) mean += m.x[i * m.d + j];
      mean /= m.n;
      let variance = 0;
      for (let i = 0; i < m.n; i++) variance += (m.x[i * m.d + j] - mean) ** 2;
      variance /= m.n;
      expect(s.mean[j]).toBeCloseTo(mean, 10);
      expect(s.std[j]).toBeCloseTo(Math.sqrt(variance), 10);
    }
  });

  it('adds up associatively to the moments of the concatenation', () => {
    const [a, b, c] = [randomMatrix(30, 3, 'a'), randomMatrix(50, 3, 'b'), randomMatrix(20, 3, 'c')];
    const left = addMoments(addMoments(momentsOf(a), momentsOf(b)), momentsOf(c));
    const right = addMoments(momentsOf(a), addMoments(momentsOf(b), momentsOf(c)));
    const whole = momentsOf(concat(a, b, c));
    for (const m of [left, right]) {
      expect(m.count).toBe(100);
      for (let j = 0; j < 3; j++) {
        expect(m.sum[j]).toBeCloseTo(whole.sum[j], 9);
        expect(m.sumSquares[j]).toBeCloseTo(whole.sumSquares[j], 8);
      }
    }
  });

  it('gives a constant column std 1, even a large constant', () => {
    const s = standardisationFrom(
      momentsOf(
        matrixFromRows([
          [1e6, 0, 1],
          [1e6, 0, 3],
          [1e6, 0, 5],
        ]),
      ),
    );
    expect(Array.from(s.mean)).toEqual([1e6, 0, 3]);
    expect(s.std[0]).toBe(1);
    expect(s.std[1]).toBe(1);
    expect(s.std[2]).toBeCloseTo(Math.sqrt(8 / 3), 12);
  });
});

describe('standardise', () => {
  it('returns a new matrix with zero-mean, unit-std columns', () => {
    const m = randomMatrix(200, 3, 'std');
    const before = m.x.slice();
    const z = standardise(m, standardisationFrom(momentsOf(m)));
    expect(m.x).toEqual(before);
    const again = standardisationFrom(momentsOf(z));
    for (let j = 0; j < 3; j++) {
      expect(again.mean[j]).toBeCloseTo(0, 10);
      expect(again.std[j]).toBeCloseTo(1, 10);
    }
  });

  it('rejects a standardisation of another width', () => {
    const m = randomMatrix(5, 3, 'w');
    expect(() => standardise(m, standardisationFrom(momentsOf(randomMatrix(5, 2, 'v'))))).toThrow(RangeError);
  });
});
