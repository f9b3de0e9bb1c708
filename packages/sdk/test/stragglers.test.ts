// A straggler past the round's deadline is dropped and the round completes with the others; it takes part again
// in the next round.
import { afterAll, describe, expect, it } from 'vitest';
import type { tessera } from '@tessera/proto';
import { LocalFederation } from '../src/index.js';
import { shardsOf, tempDir } from './helpers.js';

describe('stragglers', () => {
  const tmp = tempDir();
  let fed: LocalFederation | undefined;
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('are dropped at the deadline without failing the round (masked, 4 participants, threshold 3)', async () => {
    const data = shardsOf('breast_cancer.csv', 'benign', 4, 'iid', 21);
    fed = await LocalFederation.start({ dir: tmp.dir, shards: data.shards, runtime: 'inline' });
    // The fourth node answers everything 4 s late during round 2: past the stage deadline of 1.5 s.
    let slow = false;
    const node = (
      fed.participants[3] as unknown as { node: { send: (b: tessera.v1.IParticipantMessage) => Promise<void> } }
    ).node;
    const send = node.send.bind(node);
    node.send = async (body) => {
      if (slow) await new Promise((r) => setTimeout(r, 4000));
      return send(body);
    };
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'benign',
      rounds: 3,
      minParticipants: 3,
      roundTimeoutSeconds: 1.5,
      seed: 9,
    });
    const final = await fed.analyst.watch(job.id, (_j, message) => {
      if (message.startsWith('round 1/3 completed')) slow = true;
      if (message.startsWith('round 2/3 completed')) slow = false;
    });
    expect(final.status, final.error).toBe('completed');
    const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
    expect(fits.map((f) => f.round)).toEqual([1, 2, 3]);
    const second = fits[1]!;
    expect(second.contributors).toBe(3);
    expect(second.dropped).toContain(fed.participants[3]!.id);
    expect(final.history.filter((h) => h.status === 'failed')).toEqual([]);
  }, 60_000);
});
