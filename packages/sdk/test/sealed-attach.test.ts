import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attachSealed,
  createAnalystKeys,
  CoordinatorError,
  LocalFederation,
  modelFileFrom,
  scoreTable,
  type AnalystKeys,
} from '../src/index.js';
import { shardsOf, tempDir } from './helpers.js';

/** The analyst side of sealed mode against a real coordinator and participants (gRPC on loopback). */
describe('attachSealed (3 participants, breast cancer)', () => {
  const tmp = tempDir();
  const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 5);
  let fed: LocalFederation;
  let keys: AnalystKeys;
  const spec = {
    dataset: 'customers',
    label: 'benign',
    rounds: 4,
    minParticipants: 3,
    seed: 3,
    roundTimeoutSeconds: 30,
  };

  beforeAll(async () => {
    keys = await createAnalystKeys();
    // The federation's analyst holds the keys: their identity signs both the spec and the BFV key.
    fed = await LocalFederation.start({ dir: tmp.dir, shards: data.shards, runtime: 'inline', analystKeys: keys });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('answers every aggregate, survives a detach and a re-attach, and the job trains', async () => {
    const job = await fed.analyst.submit(spec, { sealed: keys });
    expect(job.spec.secure).toMatchObject({ mode: 'sealed' });
    const seen: string[] = [];
    // first attachment: leave after the statistics and the first fit aggregate
    const stop = new AbortController();
    await attachSealed(fed.analyst, job.id, keys, {
      signal: stop.signal,
      onAggregate: (round, stage, error) => {
        expect(error).toBeUndefined();
        seen.push(`${stage}/${round}`);
        if (seen.length === 2) stop.abort();
      },
    });
    expect(seen).toEqual(['statistics/0', 'fit/1']);
    // A window in which a wrong coordinator would fail or finish the job without its analyst. It checks
    // that nothing happens, so there is no event to wait for (and nothing for expect.poll to poll).
    await new Promise((r) => setTimeout(r, 300));
    expect((await fed.analyst.get(job.id)).status).toBe('running'); // waiting for the analyst
    // re-attach: the pending aggregate comes again (or the next one), and the job finishes
    const [final] = await Promise.all([
      fed.analyst.watch(job.id),
      attachSealed(fed.analyst, job.id, keys, { onAggregate: (round, stage) => seen.push(`${stage}/${round}`) }),
    ]);
    expect(final.status, final.error).toBe('completed');
    expect(
      seen
        .filter((s) => s.startsWith('fit/'))
        .map((s) => Number(s.slice(4)))
        .at(-1),
    ).toBe(4);
    const scored = scoreTable(modelFileFrom(await fed.analyst.result(job.id)), data.test);
    expect(scored.metrics!.auc).toBeGreaterThan(0.97);
    // attaching to a finished job returns at once
    await attachSealed(fed.analyst, job.id, keys);
  });

  it("another analyst's keys cannot decrypt: the reply carries the reason and the job fails with it", async () => {
    const job = await fed.analyst.submit(spec, { sealed: keys });
    const other = await createAnalystKeys();
    const errors: string[] = [];
    const [final] = await Promise.all([
      fed.analyst.watch(job.id),
      attachSealed(fed.analyst, job.id, other, { onAggregate: (_r, _s, e) => e && errors.push(e) }),
    ]);
    expect(errors[0]).toMatch(/could not use the statistics aggregate of round 0/);
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/could not use/);
  });

  it('refuses to attach to a job that is not sealed', async () => {
    const job = await fed.analyst.submit({ ...spec, rounds: 1 });
    const err = await attachSealed(fed.analyst, job.id, keys).catch((e: Error) => e);
    expect(err).toBeInstanceOf(CoordinatorError);
    expect((err as Error).message).toMatch(/is not a sealed job/);
    await fed.analyst.watch(job.id);
  });

  it('refuses a sealed submission whose spec says another mode', async () => {
    await expect(fed.analyst.submit({ ...spec, secure: { mode: 'masked' } }, { sealed: keys })).rejects.toThrow(
      /secure\.mode "masked"/,
    );
  });
});
