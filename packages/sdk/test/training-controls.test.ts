// Training controls through the coordinator and participants: a learning-rate schedule the participants check
// round by round, early stopping on the federated validation loss, and the best round's model as the result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalFederation } from '../src/index.js';
import { shardsOf, tempDir } from './helpers.js';

describe('training controls', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 31);
    fed = await LocalFederation.start({ dir: tmp.dir, shards: data.shards, runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  const base = { dataset: 'customers', label: 'benign', minParticipants: 3, seed: 3 };
  const fitsOf = (job: Awaited<ReturnType<LocalFederation['analyst']['watch']>>) =>
    job.history.filter((h) => h.stage === 'fit' && h.status === 'completed');

  it('runs a cosine schedule that every participant checks against the signed spec', async () => {
    const job = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          ...base,
          rounds: 4,
          local: { learningRate: 0.5, schedule: { type: 'cosine', minLearningRate: 0.01 } },
        })
      ).id,
    );
    expect(job.status, job.error).toBe('completed');
    expect(fitsOf(job)).toHaveLength(4);
    expect(job.refusals ?? []).toEqual([]);
  });

  it('stops early when the validation loss stalls, and returns the best round', async () => {
    const events: string[] = [];
    const job = await fed.analyst.watch(
      (
        await fed.analyst.submit({
          ...base,
          rounds: 10,
          // An improvement must be 10 nats: none is, so training stops after `patience` rounds past round 1.
          earlyStopping: { patience: 2, minDelta: 10 },
        })
      ).id,
      (_j, m) => events.push(m),
    );
    expect(job.status, job.error).toBe('completed');
    const fits = fitsOf(job);
    expect(fits.map((f) => f.round)).toEqual([1, 2, 3]);
    expect(events.join('\n')).toMatch(/early stopping after round 3: the validation loss has not gone below/);
    const best = fits.reduce((a, b) => (b.metrics.loss! < a.metrics.loss! ? b : a));
    const result = await fed.analyst.result(job.id);
    expect(result.round).toBe(best.round);
  });

  it("returns the lowest-loss round's model, not the last, when training overshoots", async () => {
    // A step size far too large for this data: the validation loss jumps about instead of falling.
    const job = await fed.analyst.watch(
      (await fed.analyst.submit({ ...base, rounds: 6, local: { learningRate: 40, epochs: 3 } })).id,
    );
    expect(job.status, job.error).toBe('completed');
    const fits = fitsOf(job);
    const best = fits.reduce((a, b) => (b.metrics.loss! < a.metrics.loss! ? b : a));
    expect(best.round).toBeLessThan(6);
    expect((await fed.analyst.result(job.id)).round).toBe(best.round);
  });
});
