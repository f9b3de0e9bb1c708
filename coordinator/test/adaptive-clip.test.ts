import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ParticipantNode } from '@tessera/participant';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, shards, startNode } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

describe('adaptive clipping (Andrew et al. 2021) in participant-level DP jobs', () => {
  const tmp = tempDir();
  let coord: Coordinator | undefined;
  let analyst: AnalystClient | undefined;
  const nodes: ParticipantNode[] = [];
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('moves the clip towards the target quantile of update norms, from privately summed clip indicators', async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    const parts = shards(BREAST_CANCER, 4);
    for (let i = 0; i < 4; i++) nodes.push(await startNode(coord, tmp.dir, `n${i}`, 'patients', parts[i]));
    const job = await analyst.watch(
      (
        await analyst.submit({
          dataset: 'patients',
          label: 'benign',
          rounds: 6,
          minParticipants: 2,
          seed: 'adaptive',
          roundTimeoutSeconds: 20,
          privacy: {
            mode: 'distributed',
            unit: 'participant',
            epsilon: 200,
            delta: 1e-5,
            clip: 20,
            adaptiveClip: { targetQuantile: 0.5, learningRate: 0.5 },
          },
        })
      ).id,
    );
    expect(job.status).toBe('completed');
    const clips = job.history.filter((h) => h.stage === 'fit' && h.status === 'completed').map((h) => h.metrics.clip);
    expect(clips).toHaveLength(6);
    expect(clips[0]).toBe(20);
    // Every update norm is far below 20, so the noisy unclipped fraction is near 1 and the clip shrinks every round.
    for (let i = 1; i < clips.length; i++) expect(clips[i]).toBeLessThan(clips[i - 1]);
    expect(clips[5]).toBeLessThan(20 * Math.exp(-0.5 * 0.25 * 5));
  });
});
