// Every n/a in the demo's per-round table says why, in its cell, with the reason spelled out under the table.
import { describe, expect, it } from 'vitest';
import { demoReport } from '../src/demo/print-demo.js';
import type { DemoResult } from '../src/demo/run-demo.js';

const q = { auc: 0.8, accuracy: 0.75, logLoss: 0.5 };

function result(secure: DemoResult['secure']['mode'], dp: DemoResult['privacy']['mode']): DemoResult {
  return {
    participants: 3,
    rounds: 2,
    data: 'synthetic',
    split: 'iid',
    seed: 7,
    jobId: 'job-1',
    federated: q,
    centralized: q,
    localOnly: [{ ...q, participant: 'p1', rows: 10 }],
    localOnlyMean: q,
    history: [
      { round: 1, contributors: 3, dropped: 0, absent: 0, seconds: 0.5 },
      {
        round: 2,
        contributors: 3,
        dropped: 0,
        absent: 0,
        seconds: 0.5,
        ...(secure === 'none' ? { trainLoss: 0.6 } : {}),
      },
    ],
    secure: { mode: secure, threshold: secure === 'none' ? null : 2, degree: secure === 'none' ? null : 2, dropped: 0 },
    privacy: { mode: dp, unit: 'record', epsilon: 4, delta: 1e-5, noiseMultiplier: 1.1, clip: 1 },
    timing: { totalSeconds: 1, jobSeconds: 1, roundSecondsMedian: 0.5 },
  };
}

const printed = (r: DemoResult): string => demoReport(r);

describe('the per-round table explains each n/a', () => {
  it('sealed: the cells say sealed and a note says only the analyst decrypts metrics', () => {
    const out = printed(result('sealed', 'none'));
    expect(out).not.toMatch(/n\/a(?! \()/);
    expect(out).toContain('n/a (sealed)');
    expect(out).toContain('n/a (sealed): only the analyst decrypts metrics');
    expect(out.split('n/a (sealed):').length - 1).toBe(1);
  });

  it('masked with DP: no per-round evaluation, for the privacy budget', () => {
    const out = printed(result('masked', 'distributed'));
    expect(out).not.toMatch(/n\/a(?! \()/);
    expect(out).not.toContain('n/a (not reported)');
    expect(out).toMatch(/n\/a \(DP\): under differential privacy each evaluation would spend privacy budget/);
  });

  it('plaintext: a round that reported nothing says not reported, a reported value prints as a number', () => {
    const out = printed(result('none', 'none'));
    expect(out).toContain('0.6000');
    expect(out).toContain('n/a (not reported)');
    expect(out).not.toMatch(/n\/a(?! \()/);
  });
});
