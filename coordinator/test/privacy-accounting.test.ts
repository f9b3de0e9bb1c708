import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '@tessera/data';
import { ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, type Identity, shards } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const DATASET = 'patients';

/**
 * What a private job's view states must be true against the parties it names: no amplification by
 * a participant sample the coordinator draws (distributed), Poisson sampling from the CSPRNG where
 * it amplifies (central), and a spent epsilon that counts every charged attempt.
 */
describe('a private job states how it sampled and what it spent', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const parts = shards(BREAST_CANCER, 4);
  const identities = new Map<string, Identity>();
  const job = (privacy: object, extra: object = {}) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 3,
    minParticipants: 2,
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 1 },
    strategy: { fractionFit: 0.5 },
    privacy: { unit: 'participant', epsilon: 8, delta: 1e-5, ...privacy },
    ...extra,
  });

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      identities.set(name, await enrolIdentity(coord, name));
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv(parts[i]));
      const config: ParticipantConfig = {
        name,
        coordinator: coord.address,
        participantId: identities.get(name)!.id,
        identityKey: '(in memory)',
        datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
        ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      };
      const node = new ParticipantNode({
        config,
        identity: identities.get(name)!.keys,
        security: identities.get(name)!.clientSecurity,
        minBackoffMs: 100,
        maxBackoffMs: 400,
      });
      const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      node.start();
      await ready;
      nodes.push(node);
    }
  });
  afterEach(() => undefined);
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it(
    'distributed, half the participants per round: accounted at q = 1, the fixed-size draw named, ' +
      'spent epsilon within the target',
    async () => {
      const view = await analyst.watch((await analyst.submit(job({ mode: 'distributed' }))).id);
      expect(view.status).toBe('completed');
      expect(view.privacy).toMatchObject({
        mode: 'distributed',
        sampling: 'fixed-size',
        accountantSampleRate: 1,
        validationSplit: 'none',
      });
      expect(view.privacy!.protectsAgainst).toMatch(/the coordinator, with up to secure\.corruptFraction/);
      // Nobody was charged more than the job's target, and the participant charged most spent what the view says.
      expect(view.privacy!.spentEpsilon).toBeLessThanOrEqual(8 + 1e-9);
      expect(view.privacy!.spentEpsilon).toBeCloseTo(Math.max(...view.privacySpend.map((p) => p.epsilon)), 12);
      // Each participant's own ledger charged the unamplified cost of every round it joined (q = 1).
      for (const node of nodes) for (const c of node.ledger.charges(DATASET)) expect(c.sampleRate).toBe(1);
    },
  );

  it('central, half the participants per round: Poisson sampling, amplified at the rate it used', async () => {
    const view = await analyst.watch((await analyst.submit(job({ mode: 'central' }))).id);
    expect(view.status).toBe('completed');
    expect(view.privacy).toMatchObject({ mode: 'central', sampling: 'poisson', accountantSampleRate: 0.5 });
    expect(view.privacy!.protectsAgainst).toMatch(/not the coordinator/);
    // Poisson samples vary in size; rounds whose sample was too small say so and release nothing.
    for (const r of view.history.filter((h) => h.stage === 'fit')) {
      if (r.metrics.skipped) expect(r.error).toMatch(/Poisson sample of \d participant\(s\) is below/);
    }
  });

  it('refuses at submission a survivor floor above the participants serving the data', async () => {
    await expect(analyst.submit(job({ mode: 'distributed', survivorFloor: 9 }))).rejects.toThrow(
      /privacy\.survivorFloor: is 9, above the 4 participant\(s\) serving/,
    );
  });
});
