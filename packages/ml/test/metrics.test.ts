import { describe, expect, it } from 'vitest';
import { accuracy, auc, evaluateBinary, logLoss, matrixFromRows, seededRandom } from '../src/index.js';

const f = (v: number[]) => Float64Array.from(v);

describe('logLoss', () => {
  it('is the mean negative log-likelihood', () => {
    // -(ln 0.8 + ln 0.7) / 2
    expect(logLoss(f([1, 0]), f([0.8, 0.3]))).toBeCloseTo((0.2231435513142097 + 0.35667494393873245) / 2, 12);
  });

  it('clamps certain mistakes to -ln(1e-12) instead of Infinity', () => {
    expect(logLoss(f([1, 0]), f([0, 1]))).toBeCloseTo(-Math.log(1e-12), 6);
    expect(logLoss(f([1, 0]), f([1, 0]))).toBeCloseTo(0, 10);
  });

  it('rejects mismatched lengths', () => {
    expect(() => logLoss(f([1]), f([0.5, 0.5]))).toThrow(RangeError);
  });
});

describe('accuracy', () => {
  it('thresholds at 0.5 by default, p >= threshold predicting 1', () => {
    const y = f([1, 0, 1, 0]);
    const p = f([0.9, 0.4, 0.2, 0.5]); // predicts 1, 0, 0, 1
    expect(accuracy(y, p)).toBe(0.5);
    expect(accuracy(y, p, 0.3)).toBe(0.25); // predicts 1, 1, 0, 1
  });
});

describe('auc', () => {
  it('matches a hand count', () => {
    // positives 0.35 and 0.8 against negatives 0.1 and 0.4: 0.35 beats one, 0.8 beats both -> 3/4
    expect(auc(f([0, 0, 1, 1]), f([0.1, 0.4, 0.35, 0.8]))).toBe(0.75);
    // every score tied -> 1/2
    expect(auc(f([0, 1, 0, 1]), f([0.3, 0.3, 0.3, 0.3]))).toBe(0.5);
  });

  it('matches a brute-force pairwise count with many ties', () => {
    const rng = seededRandom('auc-ties');
    for (let trial = 0; trial < 5; trial++) {
      const n = 300;
      const y = new Float64Array(n);
      const p = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        y[i] = rng.float() < 0.4 ? 1 : 0;
        p[i] = Math.round((rng.float() + 0.3 * y[i]) * 10) / 10; // few distinct values, so ties abound
      }
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] !== 1) continue;
        for (let j = 0; j < n; j++) {
          if (y[j] !== 0) continue;
          pairs++;
          wins += p[i] > p[j] ? 1 : p[i] === p[j] ? 0.5 : 0;
        }
      }
      expect(auc(y, p)).toBeCloseTo(wins / pairs, 12);
    }
  });

  it('is NaN when a class is missing', () => {
    expect(auc(f([1, 1]), f([0.2, 0.9]))).toBeNaN();
    expect(auc(f([0, 0]), f([0.2, 0.9]))).toBeNaN();
  });
});

describe('evaluateBinary', () => {
  it('evaluates the model on the data', () => {
    // weights (w=2, bias=-1) on x = 0, 1, 2 give logits -1, 1, 3
    const m = matrixFromRows([[0], [1], [2]]);
    const data = { ...m, y: f([0, 0, 1]) };
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const r = evaluateBinary(f([2, -1]), data);
    expect(r.n).toBe(3);
    expect(r.accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.auc).toBe(1);
    expect(r.loss).toBeCloseTo(-(Math.log(1 - s(-1)) + Math.log(1 - s(1)) + Math.log(s(3))) / 3, 12);
  });
});
