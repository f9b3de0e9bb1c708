// An exact recommend step whose values the wide encoding cannot hold is refused naming the spec fields to change.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { initItemFactors, itemModelVector, seededRandom } from '@tessera/recommend';
import { tempDir } from '../../coordinator/test/helpers.js';
import { JobMemory } from '../src/job-memory.js';
import { LocalData } from '../src/local-data.js';
import { recommendTask } from '../src/tasks/recommend.js';
import type { ActiveTask, TaskContext } from '../src/tasks/task-handler.js';
import { interactionLines, recommendInput, recommendStep, smallFederation } from './support/recommend-fixture.js';

const pb = tessera.v1;

describe('the exact encoding range of a recommend step', () => {
  const tmp = tempDir('tessera-recommend-range-');
  afterAll(() => tmp.cleanup());
  const fed = smallFederation();
  const path = join(tmp.dir, 'orders.csv');
  writeFileSync(path, `${interactionLines(fed.rows[0]!).join('\n')}\n`);
  const data = new LocalData({ orders: { type: 'csv', path, exclude: [] } });
  const setup: tessera.v1.ISecureSetup = { participantIds: ['me', 'a', 'b'], computation: pb.Stage.RECOMMEND };

  it('refuses ALS confidences beyond +-2^39, naming model.alpha and what to lower', async () => {
    const input = recommendInput('orders', fed.catalogue.ids, {
      name: 'range',
      model: { algorithm: 'als', k: 3, alpha: 1e13 },
    });
    const { task } = recommendStep(input, generateSigningKeyPair(), setup, { jobId: 'range', round: 1 });
    const model = itemModelVector(initItemFactors(fed.catalogue.ids.length, 3, seededRandom('range/items')));
    const ctx = { data, memory: new JobMemory() } as unknown as TaskContext;
    const active: ActiveTask = { task, handler: recommendTask, model, received: 0, cancelled: false };
    const error = await (async () => recommendTask.compute(ctx, active))().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/^data set "orders": the item update \(value \d+: [\d.e+]+\) is beyond /);
    expect(error?.message).toMatch(/ the exact encoding's ±2\^39; lower model\.alpha$/);
  });
});
