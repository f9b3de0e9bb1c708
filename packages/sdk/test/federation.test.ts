import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFederation, modelFileFrom, scoreTable } from '../src/index.js';
import { shardsOf, tempDir } from './helpers.js';

describe('a federation over gRPC on loopback (3 participants, breast cancer, IID)', () => {
  const tmp = tempDir();
  const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 11);
  let fed: LocalFederation;

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards: data.shards, runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('trains: the loss falls and the model scores held-out data well', async () => {
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'benign',
      rounds: 6,
      minParticipants: 3,
      seed: 1,
    });
    const events: string[] = [];
    const final = await fed.analyst.watch(job.id, (_j, m) => events.push(m));
    expect(final.status, final.error).toBe('completed');
    const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
    expect(fits).toHaveLength(6);
    expect(fits[5].metrics.loss).toBeLessThan(fits[0].metrics.loss);
    expect(fits.every((f) => f.contributors === 3)).toBe(true);
    expect(events.some((e) => e.includes('round 6/6 completed'))).toBe(true);

    const result = await fed.analyst.result(job.id);
    expect(result.weights.length).toBe(31);
    const scored = scoreTable(modelFileFrom(result), data.test);
    expect(scored.metrics!.auc).toBeGreaterThan(0.97);
  });
});

describe('a single participant', () => {
  it('cannot aggregate securely and is told how to proceed; plaintext works', async () => {
    const tmp = tempDir();
    const data = shardsOf('breast_cancer.csv', 'benign', 1, 'iid', 1);
    // The node allows plaintext (its data set's secure: none); by default it would refuse the plaintext job.
    const fed = await LocalFederation.start({ dir: tmp.dir, shards: data.shards, runtime: 'inline', secure: 'none' });
    try {
      const masked = await fed.analyst.watch(
        (
          await fed.analyst.submit({
            dataset: 'customers',
            label: 'benign',
            rounds: 2,
            minParticipants: 1,
            maxRoundAttempts: 1,
          })
        ).id,
      );
      expect(masked.status).toBe('failed');
      expect(masked.error).toMatch(/secure aggregation needs at least 2 participants .* set secure: \{mode: none\}/);
      const plain = await fed.analyst.watch(
        (
          await fed.analyst.submit({
            dataset: 'customers',
            label: 'benign',
            rounds: 2,
            minParticipants: 1,
            secure: { mode: 'none' },
          })
        ).id,
      );
      expect(plain.status, plain.error).toBe('completed');
    } finally {
      await fed.stop();
      tmp.cleanup();
    }
  });
});
