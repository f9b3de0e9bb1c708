import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '@tessera/data';
import { ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import type { AnalystClient } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, shards } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const DATASET = 'patients';

/**
 * The schema step of a differentially private job releases no text value that occurs in the data:
 * a rare value (one customer's) would reveal that customer. Text columns are features only with a
 * domain the spec declares; participants report that domain, and encode other values as zeros.
 */
describe('categorical domains under differential privacy are public, never the values that occur', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const job = (extra: object) => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 1,
    minParticipants: 3,
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 1 },
    privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
    ...extra,
  });

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const [i, shard] of shards(BREAST_CANCER, 3).entries()) {
      const name = `m${i}`;
      const who = await enrolIdentity(coord, name);
      // A text column: two common segments, and at merchant 0 one row with a value only one customer has.
      const rows = shard.rows.map((r, k) => [
        ...r,
        i === 0 && k === 7 ? 'vip-customer-4711' : k % 2 ? 'retail' : 'online',
      ]);
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv({ ...shard, columns: [...shard.columns, 'segment'], rows }));
      const config: ParticipantConfig = {
        name,
        coordinator: coord.address,
        participantId: who.id,
        identityKey: '(in memory)',
        datasets: { [DATASET]: { type: 'csv', path, exclude: [] } },
        ledger: join(tmp.dir, `${name}-ledger.sqlite`),
      };
      const node = new ParticipantNode({
        config,
        identity: who.keys,
        security: who.clientSecurity,
        minBackoffMs: 100,
        maxBackoffMs: 400,
      });
      const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      node.start();
      await ready;
      nodes.push(node);
    }
  });
  afterAll(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('with a declared domain the feature is that domain; the rare value never reaches the coordinator', async () => {
    const view = await analyst.watch(
      (await analyst.submit(job({ domains: { segment: ['online', 'retail', 'wholesale'] } }))).id,
    );
    expect(view.status, view.error).toBe('completed');
    expect(view.featureNames.filter((f) => f.startsWith('segment='))).toEqual([
      'segment=online',
      'segment=retail',
      'segment=wholesale',
    ]);
    expect(JSON.stringify(view)).not.toContain('vip-customer-4711');
  });

  it('without one, the text column is no feature (its values are withheld); the job trains on the rest', async () => {
    const view = await analyst.watch((await analyst.submit(job({}))).id);
    expect(view.status, view.error).toBe('completed');
    expect(view.featureNames.some((f) => f.startsWith('segment'))).toBe(false);
    expect(view.featureNames.length).toBeGreaterThan(20);
  });

  it(
    'without differential privacy the schema step reports the values that occur (as before: ' +
      'the job asked for no guarantee)',
    async () => {
      const view = await analyst.watch((await analyst.submit(job({ privacy: { mode: 'none' }, rounds: 1 }))).id);
      expect(view.status, view.error).toBe('completed');
      expect(view.featureNames).toContain('segment=vip-customer-4711');
    },
  );
});
