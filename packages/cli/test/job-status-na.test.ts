// `tessera job status`'s round table: every n/a says why, from the job's own secure and privacy modes.
import { describe, expect, it } from 'vitest';
import { capturedStdout } from './in-process.js';
import type { JobView } from '@tessera/sdk';
import { printJob } from '../src/commands/job.js';
import { roundDetail } from '../src/job-watch.js';

function job(spec: Record<string, unknown>, metrics: Record<string, number>): JobView {
  const round = {
    stage: 'fit',
    status: 'completed',
    attempt: 1,
    contributors: 3,
    dropped: [],
    seconds: 0.4,
    error: '',
  };
  return {
    id: 'j1',
    name: 'repurchase',
    status: 'completed',
    spec,
    roundsCompleted: 2,
    roundsTotal: 2,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    error: '',
    featureNames: [],
    history: [
      { ...round, round: 1, metrics },
      { ...round, round: 2, metrics },
    ],
    privacySpend: [],
    refusals: [],
    analystIdentity: 'analyst',
    owner: 'analyst',
  };
}

const printed = (j: JobView): string => capturedStdout(() => printJob(j));

describe('job status: the round table explains each n/a', () => {
  it('a sealed job says only the analyst decrypts metrics', () => {
    const out = printed(job({ secure: { mode: 'sealed' }, privacy: { mode: 'none' } }, {}));
    expect(out).toContain('n/a (sealed)');
    expect(out).toContain('n/a (sealed): only the analyst decrypts metrics');
    expect(out).not.toMatch(/n\/a(?! \()/);
  });

  it('a DP job says evaluation would spend privacy budget; reported values print as numbers', () => {
    const out = printed(job({ secure: { mode: 'masked' }, privacy: { mode: 'distributed' } }, {}));
    expect(out).toMatch(/n\/a \(DP\): under differential privacy/);
    const plain = printed(
      job({ secure: { mode: 'none' }, privacy: { mode: 'none' } }, { loss: 0.5, accuracy: 0.7, auc: 0.8 }),
    );
    expect(plain).toContain('0.8000');
    expect(plain).toContain('n/a (not reported)');
    expect(plain).not.toMatch(/n\/a(?! \()/);
  });

  it("job watch's progress line says why loss and AUC are missing", () => {
    const sealed = job({ secure: { mode: 'sealed' }, privacy: { mode: 'none' } }, {});
    expect(roundDetail(sealed, sealed.history[0]!)).toBe('loss n/a (sealed)  AUC n/a (sealed)');
    const dp = job({ secure: { mode: 'masked' }, privacy: { mode: 'central' } }, {});
    expect(roundDetail(dp, dp.history[0]!)).toBe('loss n/a (DP)  AUC n/a (DP)');
    const plain = job({ secure: { mode: 'masked' }, privacy: { mode: 'none' } }, { loss: 0.51234, auc: 0.8 });
    expect(roundDetail(plain, plain.history[0]!)).toBe('loss 0.5123  AUC 0.8000');
  });
});
