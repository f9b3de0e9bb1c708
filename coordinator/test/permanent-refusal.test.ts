// A failure retrying cannot fix (a missing label column) fails the job once, and the analyst's message has no path.
import { afterAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import type { ParticipantNode } from '@tessera/participant';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { startedCoordinator } from './started-coordinator.js';
import { tempDir } from './helpers.js';

/** The shard without its `benign` column. */
const withoutLabel = (t: RawTable): RawTable => {
  const at = t.columns.indexOf('benign');
  return { ...t, columns: t.columns.filter((_, i) => i !== at), rows: t.rows.map((r) => r.filter((_, i) => i !== at)) };
};

/** The shard with `mean_radius` as text: a categorical column where the others have a number. */
const radiusAsText = (t: RawTable): RawTable => {
  const at = t.columns.indexOf('mean_radius');
  return { ...t, rows: t.rows.map((r) => r.map((v, i) => (i === at ? (Number(v) > 14 ? 'large' : 'small') : v))) };
};

describe('a permanent failure on a real coordinator', () => {
  const started = startedCoordinator();
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('a missing label column fails once, no retries, naming the participant and problem, not the file', async () => {
    const nodes: ParticipantNode[] = [];
    try {
      const [first, second] = shards(BREAST_CANCER, 2);
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-a', 'patients', first!));
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-b', 'patients', withoutLabel(second!)));
      const analyst = await connectAnalystTo(started.coord);
      const events: string[] = [];
      const submitted = await analyst.submit({
        dataset: 'patients',
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 10,
        waitForParticipantsSeconds: 10,
        maxRoundAttempts: 3,
        seed: 3,
      });
      const job = await analyst.watch(submitted.id, (_j, m) => events.push(m));
      const seen = [job.error, ...events, ...job.refusals.map((r) => r.reason)].join('\n');

      expect(job.status).toBe('failed');
      // One schema attempt, no second: the job may end before the watcher attaches, so the history says so.
      expect(job.history.map((h) => [h.stage, h.attempt, h.status])).toEqual([['schema', 1, 'failed']]);
      expect(events.some((e) => /attempt [23]/.test(e))).toBe(false);
      const offender = job.refusals.find((r) => /label column "benign"/.test(r.reason));
      expect(offender, seen).toBeDefined();
      expect(job.error).toMatch(/participant\(s\) refused this job \(\S+: .*label column "benign"/);
      expect(seen).not.toContain(tmp.dir);
      expect(seen).not.toMatch(/\.csv|columns are/);
    } finally {
      for (const n of nodes) await n.stop();
    }
  }, 20_000);

  it('a column typed differently at two participants fails the schema step once, not retried', async () => {
    const nodes: ParticipantNode[] = [];
    try {
      const [first, second] = shards(BREAST_CANCER, 2);
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-c', 'typed', first!));
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-d', 'typed', radiusAsText(second!)));
      const analyst = await connectAnalystTo(started.coord);
      const submitted = await analyst.submit({
        dataset: 'typed',
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 10,
        waitForParticipantsSeconds: 10,
        maxRoundAttempts: 3,
        seed: 4,
      });
      const job = await analyst.watch(submitted.id, () => undefined);
      expect(job.status).toBe('failed');
      expect(job.history.map((h) => [h.stage, h.attempt, h.status])).toEqual([['schema', 1, 'failed']]);
      expect(job.error).toMatch(/mean_radius/);
      expect(job.error).toContain('not retried, as asking again cannot change it');
      expect(job.error).not.toContain(tmp.dir);
    } finally {
      for (const n of nodes) await n.stop();
    }
  }, 20_000);
});
