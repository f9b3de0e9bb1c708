import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { connectLocalAnalyst, LocalFederation, SqliteStore } from '@tessera/sdk';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { killed, requireBuild, startCoordinatorProcess } from './cli.js';

describe('coordinator restart', () => {
  const tmp = tempDir('tessera-restart-');
  afterAll(() => tmp.cleanup());

  it('a job interrupted by killing the coordinator resumes from its last completed round and finishes', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    let coord = await startCoordinatorProcess(dataDir);
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 5);
    const fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: data.shards,
      runtime: 'inline',
      coordinator: { address: coord.address, dataDir },
    });
    const analyst = await connectLocalAnalyst({
      dataDir,
      address: coord.address,
      security: coord.clientSecurity,
      name: 'analyst',
    });
    try {
      const rounds = 12;
      const job = await analyst.submit({
        dataset: 'customers',
        label: 'benign',
        rounds,
        minParticipants: 3,
        seed: 9,
        roundTimeoutSeconds: 20,
      });
      // Kill the coordinator (SIGKILL: no chance to clean up) once a few rounds are done.
      let beforeKill = await analyst.get(job.id);
      await expect
        .poll(async () => (beforeKill = await analyst.get(job.id)).roundsCompleted, { timeout: 60_000, interval: 5 })
        .toBeGreaterThanOrEqual(3);
      await killed(coord.proc);
      const completedBeforeKill = beforeKill.roundsCompleted;
      expect(completedBeforeKill).toBeLessThan(rounds);
      const snapshot = new SqliteStore(join(dataDir, 'coordinator.sqlite'));
      const savedModels = await Promise.all(
        Array.from({ length: completedBeforeKill }, (_, i) => snapshot.loadModel(job.id, i + 1)),
      );
      await snapshot.close();

      coord = await startCoordinatorProcess(dataDir, `127.0.0.1:${coord.port}`);
      const final = await analyst.watch(job.id);
      expect(final.status, final.error).toBe('completed');
      const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed').map((h) => h.round);
      expect(fits).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
      // The statistics stage was not repeated, and the models of rounds finished before the kill are untouched.
      expect(final.history.filter((h) => h.stage === 'statistics' && h.status === 'completed')).toHaveLength(1);
      const after = new SqliteStore(join(dataDir, 'coordinator.sqlite'));
      for (const [i, m] of savedModels.entries()) expect(await after.loadModel(job.id, i + 1)).toEqual(m);
      await after.close();
    } finally {
      analyst.close();
      await fed.stop();
      await killed(coord.proc, 'SIGTERM');
    }
  }, 120_000);

  it('a FedAdam job resumes with its server optimiser state: the same model as a run never interrupted', async () => {
    requireBuild();
    const dir = join(tmp.dir, 'adam');
    const dataDir = join(dir, 'coordinator');
    let coord = await startCoordinatorProcess(dataDir);
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 6);
    // Plaintext, so that two runs of one seed compute the same models (masked rounding draws fresh randomness).
    const fed = await LocalFederation.start({
      dir,
      shards: data.shards,
      runtime: 'inline',
      secure: 'none',
      coordinator: { address: coord.address, dataDir },
    });
    const analyst = await connectLocalAnalyst({
      dataDir,
      address: coord.address,
      security: coord.clientSecurity,
      name: 'analyst',
    });
    const spec = {
      dataset: 'customers',
      label: 'benign',
      rounds: 8,
      minParticipants: 3,
      seed: 12,
      roundTimeoutSeconds: 20,
      secure: { mode: 'none' },
      strategy: { name: 'fedadam', serverLearningRate: 0.05 },
    };
    try {
      const whole = await analyst.watch((await analyst.submit(spec)).id);
      expect(whole.status, whole.error).toBe('completed');
      const interrupted = await analyst.submit(spec);
      await expect
        .poll(async () => (await analyst.get(interrupted.id)).roundsCompleted, { timeout: 60_000, interval: 5 })
        .toBeGreaterThanOrEqual(3);
      await killed(coord.proc);
      coord = await startCoordinatorProcess(dataDir, `127.0.0.1:${coord.port}`);
      const resumed = await analyst.watch(interrupted.id);
      expect(resumed.status, resumed.error).toBe('completed');
      const store = new SqliteStore(join(dataDir, 'coordinator.sqlite'));
      const a = (await store.loadModel(whole.id, 8))!;
      const b = (await store.loadModel(interrupted.id, 8))!;
      await store.close();
      // Summed in arrival order: equal up to floating-point reassociation, not reset moments (which move it by ~1e-2).
      b.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 8));
    } finally {
      analyst.close();
      await fed.stop();
      await killed(coord.proc, 'SIGTERM');
    }
  }, 120_000);
});
