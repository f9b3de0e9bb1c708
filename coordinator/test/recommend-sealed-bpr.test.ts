// A sealed BPR recommend job would hide nothing (the analyst's answer carries Adagrad's state, from which the
// coordinator computes each round's sum: packages/recommend/test/sealed-bpr-answer.test.ts): it is refused at
// submission, naming the field, before any node is asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { createAnalystKeys, LocalFederation } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const shards: RawTable[] = [0, 1].map((m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id'],
  rows: [
    [`c${m}-1`, 'a'],
    [`c${m}-1`, 'b'],
  ],
  lineOf: (i) => i + 2,
}));

describe('a sealed BPR recommend job', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('is refused at submission, naming secure.mode and what to use instead', async () => {
    const keys = await createAnalystKeys();
    const analyst = await fed.addAnalyst('sealed-bpr', keys);
    const spec = {
      name: 'sealed-bpr',
      kind: 'recommend',
      dataset: 'orders',
      catalogue: { items: ['a', 'b', 'c'] },
      model: { algorithm: 'bpr', k: 1 },
      secure: { mode: 'sealed' },
    };
    await expect(analyst.submit(spec, { sealed: keys })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/secure\.mode: sealed is refused with algorithm "bpr".*use algorithm "als"/),
    });
    expect(await fed.analyst.list()).toHaveLength(0);
  });
});
