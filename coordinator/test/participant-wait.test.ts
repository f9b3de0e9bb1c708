// A job on a data set no connected node serves fails fast naming the fix; while waiting, watchers learn who is missing.
import { afterAll, describe, expect, it } from 'vitest';
import type { ParticipantNode } from '@tessera/participant';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { startedCoordinator } from './started-coordinator.js';
import { tempDir } from './helpers.js';

const job = (dataset: string, extra: object = {}) => ({
  dataset,
  label: 'benign',
  rounds: 1,
  minParticipants: 2,
  roundTimeoutSeconds: 10,
  waitForParticipantsSeconds: 120,
  seed: 7,
  ...extra,
});

describe('waiting for participants on a real coordinator', () => {
  const started = startedCoordinator();
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('fails in under 5 s on an unserved data set, naming the fix, and says who is missing', async () => {
    const nodes: ParticipantNode[] = [];
    try {
      const [first, second] = shards(BREAST_CANCER, 2);
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-a', 'orders', first!));
      const analyst = await connectAnalystTo(started.coord);

      const t0 = performance.now();
      const events: string[] = [];
      const submitted = await analyst.submit(job('customers'));
      const failed = await analyst.watch(submitted.id, (_j, m) => events.push(m));
      const seconds = (performance.now() - t0) / 1000;
      expect(failed.status).toBe('failed');
      expect(seconds).toBeLessThan(5);
      expect(failed.error).toContain('no connected participant serves data set "customers"');
      expect(failed.error).toContain('start a node serving `customers`, or set minParticipants');
      expect(events.some((e) => e.startsWith('waiting for participants (0/2 serving customers)'))).toBe(true);
      expect(events.join('\n')).toMatch(
        /\(0\/2 serving customers\): shop-a \(p-\S+\) serves orders, not customers; 2 more to enrol/,
      );

      // One of two nodes serving the data set: the job waits, and says so with the reason for the missing one.
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-b', 'customers', second!));
      const waiting: string[] = [];
      const pending = await analyst.submit(job('customers'));
      const seen = new Promise<void>((resolve) => {
        void analyst.watch(pending.id, (_j, m) => {
          waiting.push(m);
          if (m.startsWith('waiting for participants')) resolve();
        });
      });
      await seen;
      const line = waiting.find((m) => m.startsWith('waiting'));
      expect(line).toMatch(
        /^waiting for participants \(1\/2 serving customers\): shop-a \(p-\S+\) serves orders, not /,
      );
      expect(line).toMatch(/not customers; 1 more to enrol \(tessera coordinator enroll NAME\)$/);
      // Past the fail-fast grace, a job that one node serves is still waiting, not failed.
      await new Promise((r) => setTimeout(r, 3_500));
      expect((await analyst.get(pending.id)).status).not.toBe('failed');
      await analyst.cancel(pending.id);
    } finally {
      for (const n of nodes) await n.stop();
    }
  }, 20_000);

  it('a query on an unserved data set fails fast too, naming the fix', async () => {
    const nodes: ParticipantNode[] = [];
    try {
      const [first] = shards(BREAST_CANCER, 2);
      nodes.push(await startNode(started.coord, tmp.dir, 'shop-q', 'orders', first!));
      const analyst = await connectAnalystTo(started.coord);
      const t0 = performance.now();
      const submitted = await analyst.submit({
        kind: 'query',
        sql: 'SELECT COUNT(*) FROM customers',
        minParticipants: 2,
        waitForParticipantsSeconds: 120,
      });
      const failed = await analyst.watch(submitted.id, () => {});
      expect(failed.status).toBe('failed');
      expect((performance.now() - t0) / 1000).toBeLessThan(5);
      expect(failed.error).toContain('no connected participant serves data set "customers"');
      expect(failed.error).toContain('start a node serving `customers`');
    } finally {
      for (const n of nodes) await n.stop();
    }
  }, 20_000);
});
