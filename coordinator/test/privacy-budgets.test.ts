import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { auditParticipant, ParticipantNode, type DatasetBudget, type ParticipantConfig } from '@tessera/participant';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, type Identity, shards } from './grpc-helpers.js';
import { tempDir } from './helpers.js';
import { joinedRegExp } from '@tessera/test-support';

const DATASET = 'patients';

describe('privacy budgets kept by each participant, enforced before any data is read', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const parts = shards(BREAST_CANCER, 3);
  const identities = new Map<string, Identity>();

  const configOf = (name: string, shard: RawTable, budget?: DatasetBudget): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    const who = identities.get(name)!;
    return {
      name,
      coordinator: coord.address,
      participantId: who.id,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path, exclude: [], ...(budget ? { budget } : {}) } },
      ledger: join(tmp.dir, `${name}-ledger.sqlite`),
    };
  };
  const start = async (config: ParticipantConfig) => {
    const node = new ParticipantNode({
      config,
      identity: identities.get(config.name)!.keys,
      security: identities.get(config.name)!.clientSecurity,
      minBackoffMs: 100,
      maxBackoffMs: 400,
    });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    nodes.push(node);
    return node;
  };
  const job = (epsilon: number, extra: object = {}) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 3,
    minParticipants: 2,
    seed: 'budget',
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 1 },
    privacy: { mode: 'distributed', unit: 'record', epsilon, delta: 1e-5 },
    ...extra,
  });

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'c']) identities.set(name, await enrolIdentity(coord, name));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it(
    'charges every private round to the ledger, refuses by name once the budget would be exceeded, ' +
      'and reads nothing when it refuses',
    async () => {
      const tight: DatasetBudget = { epsilon: 2.5, delta: 1e-5, unit: 'record' };
      const configs = [
        configOf('a', parts[0]),
        configOf('b', parts[1], { epsilon: 100, delta: 1e-5, unit: 'record' }),
        configOf('c', parts[2], tight),
      ];
      for (const c of configs) await start(c);
      const c = identities.get('c')!.id;

      // A first private job fits every budget: it completes with all three, and each participant's spend is reported.
      const first = await analyst.watch((await analyst.submit(job(2))).id);
      expect(first.status).toBe('completed');
      expect(first.refusals).toEqual([]);
      expect(first.privacySpend.map((s) => s.participantId).sort()).toEqual(
        [...identities.values()].map((i) => i.id).sort(),
      );
      for (const s of first.privacySpend) {
        expect(s.rounds).toBe(3);
        expect(s.statisticsReleases).toBe(2);
        expect(s.epsilon).toBeGreaterThan(1.9);
        expect(s.epsilon).toBeLessThanOrEqual(2 + 1e-9);
      }
      const afterFirst = auditParticipant(configs[2]);
      const spent = afterFirst.datasets[0].spentEpsilon;
      expect(spent).toBeGreaterThan(1.9);
      expect(spent).toBeLessThanOrEqual(2 + 1e-9);
      expect(afterFirst.datasets[0].releases).toBe(5); // two private statistics releases and three training rounds
      // no federated evaluation under DP: it would be one more release
      expect(new Set(afterFirst.uses.map((u) => u.stage))).toEqual(new Set(['schema', 'statistics', 'fit']));
      expect(afterFirst.uses.filter((u) => u.stage === 'fit')).toHaveLength(3);

      // The second job would take c beyond epsilon 2.5: c refuses at the schema stage, before reading its data;
      // the job names the refusal and goes on with a and b.
      const second = await analyst.watch((await analyst.submit(job(2, { seed: 'second' }))).id);
      expect(second.status).toBe('completed');
      expect(second.refusals).toHaveLength(1);
      expect(second.refusals[0]).toMatchObject({ participantId: c, stage: 'schema' });
      expect(second.refusals[0].reason).toMatch(
        joinedRegExp(
          /privacy budget of data set "patients" \(epsilon 2\.5 at delta 0\.00001, unit record\) would be exceeded: /,
          /spent 2\.000, this job asks for 2\.000 \(3 rounds and 2 statistics releases\)/,
        ),
      );
      expect(second.privacySpend.map((s) => s.participantId)).not.toContain(c);
      const afterSecond = auditParticipant(configs[2]);
      expect(afterSecond.uses).toEqual(afterFirst.uses);
      expect(afterSecond.datasets[0].spentEpsilon).toBe(spent);
      expect(afterSecond.datasets[0].releases).toBe(5);
      expect(
        second.history.filter((h) => h.stage === 'fit' && h.status === 'completed').every((h) => h.contributors === 2),
      ).toBe(true);
    },
  );

  it(
    'the coordinator refuses at submission a job it can see exceeds a reported budget, ' +
      'or that is not private on a budgeted data set',
    async () => {
      // c reconnects (as after a restart): its hello reports the budget and what its ledger says is spent.
      await start(configOf('a', parts[0]));
      await start(configOf('c', parts[2], { epsilon: 2.5, delta: 1e-5, unit: 'record' }));
      const listed = (await analyst.participants()).find((p) => p.id === identities.get('c')!.id)!;
      expect(listed.budgets[0]).toMatchObject({ dataset: DATASET, epsilon: 2.5, unit: 'record' });
      expect(listed.budgets[0].spentEpsilon).toBeGreaterThan(1.9);
      await expect(analyst.submit(job(1))).rejects.toThrow(
        joinedRegExp(
          /participant .* keeps a privacy budget for data set "patients" .*remains and the job asks for 1; /,
          /lower privacy\.epsilon/,
        ),
      );
      await expect(analyst.submit(job(1, { privacy: { mode: 'none' } }))).rejects.toThrow(
        /serves only differentially private jobs; set privacy\.mode/,
      );
      await expect(analyst.submit(job(1e-7))).rejects.toThrow(
        /privacy\.epsilon: .*cannot be reached by this job even with noise multiplier 1000/,
      );
      await expect(
        analyst.submit(job(0.2, { privacy: { mode: 'central', unit: 'participant', epsilon: 0.2 } })),
      ).resolves.toMatchObject({ status: expect.any(String) });
    },
  );
});
