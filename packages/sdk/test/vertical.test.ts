// Vertical federated learning over real gRPC: a bank (guest) and a platform (host) train on the customers they share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auc } from '@tessera/ml';
import { LocalFederation, runVertical, runVerticalScore } from '../src/index.js';
import { tempDir } from './helpers.js';
import { gbdtAuc, heldOut, ID, LABEL, logisticAuc, verticalTables } from './vertical-fixture.js';

const SEED = 'vertical-grpc';
const LR = { kind: 'vertical-logistic', epochs: 5, batchSize: 64, learningRate: 0.5, l2: 1e-4 } as const;

describe('vertical learning between two nodes over gRPC', () => {
  const tmp = tempDir();
  const tables = verticalTables();
  const split = heldOut(tables, SEED);
  let fed: LocalFederation;
  let bank: string;
  let platform: string;
  const spec = (model: object, change: object = {}) => ({
    name: 'joint risk',
    parties: [
      { participant: bank, dataset: 'customers', idColumn: ID, role: 'guest', label: LABEL },
      { participant: platform, dataset: 'customers', idColumn: ID, role: 'host' },
    ],
    model,
    seed: SEED,
    ...change,
  });

  beforeAll(async () => {
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [tables.guest, tables.host],
      names: ['bank', 'platform'],
      runtime: 'inline',
    });
    [bank, platform] = fed.participants.map((p) => p.id) as [string, string];
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('vertical LR is within 0.01 AUC of centralised LR on the joined overlap, and above guest-only', async () => {
    const { result, job } = await runVertical(fed.analyst, spec(LR));
    const v = result.vertical;
    expect(v.model).toBe('vertical-logistic');
    expect(v.overlap).toBe(tables.shared.length);
    expect(v.federated.testRows).toBe(split.test.length);
    expect(v.federated.trainRows).toBe(split.train.length);
    const schedule = { epochs: 50, batchSize: 64, learningRate: 0.5, l2: 1e-4 };
    const central = logisticAuc(tables, split, [...tables.features.guest, ...tables.features.host], schedule);
    const guestOnly = logisticAuc(tables, split, tables.features.guest, schedule);
    console.log(`gRPC VLR AUC ${v.federated.auc} central ${central} guest-only ${guestOnly}; ${v.seconds} s`);
    expect(Math.abs(v.federated.auc - central)).toBeLessThanOrEqual(0.01);
    expect(v.federated.auc).toBeGreaterThan(guestOnly);
    expect(job.history[0]).toMatchObject({ stage: 'vertical', contributors: 2 });
    // The analyst receives the guest's part of the model: its own weights, none of the host's.
    const model = result.guestModel as { format: string; featureNames?: string[] };
    for (const c of tables.features.host) expect(JSON.stringify(model)).not.toContain(c);

    // Scoring is joint: the same parties score the customers they share with their own parts of the model.
    const scoring = (parties: object[]) => ({ name: 'score', model: job.id, parties });
    const { result: scored, job: scoreJob } = await runVerticalScore(
      fed.analyst,
      scoring([
        { participant: bank, dataset: 'customers', idColumn: ID, role: 'guest' },
        { participant: platform, dataset: 'customers', idColumn: ID, role: 'host' },
      ]),
    );
    expect(scored.verticalScore.scored).toBe(tables.shared.length);
    expect(scored.verticalScore.histogram.reduce((a, b) => a + b, 0)).toBe(tables.shared.length);
    // The guest keeps every score (beside its ledger); they rank the shared customers as the model should.
    const csv = readFileSync(join(tmp.dir, 'bank', 'vertical-scores', `${scoreJob.id}.csv`), 'utf8');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows).toHaveLength(tables.shared.length);
    const y = Float64Array.from(rows, ([id]) => tables.byId.get(id!)![LABEL]!);
    expect(
      auc(
        y,
        Float64Array.from(rows, ([, s]) => Number(s)),
      ),
    ).toBeGreaterThan(0.98);
    // Roles must be the trained job's: a swap is refused at submission.
    await expect(
      fed.analyst.submit({
        ...scoring([
          { participant: platform, dataset: 'customers', idColumn: ID, role: 'guest' },
          { participant: bank, dataset: 'customers', idColumn: ID, role: 'host' },
        ]),
        kind: 'vertical-score',
      }),
    ).rejects.toThrow(/was the host of job/);
  }, 180_000);

  it('SecureBoost is within 0.01 AUC of the plaintext GBDT, and above guest-only', async () => {
    const boost = {
      kind: 'secureboost',
      trees: 3,
      depth: 3,
      learningRate: 0.3,
      bins: 16,
      minChildWeight: 1,
      lambda: 1,
    };
    const { result } = await runVertical(fed.analyst, spec(boost));
    const config = { trees: 3, depth: 3, learningRate: 0.3, bins: 16, minChildWeight: 1, lambda: 1 };
    const central = gbdtAuc(tables, split, [...tables.features.guest, ...tables.features.host], config);
    const guestOnly = gbdtAuc(tables, split, tables.features.guest, config);
    console.log(`gRPC SecureBoost AUC ${result.vertical.federated.auc} GBDT ${central} guest-only ${guestOnly}`);
    expect(Math.abs(result.vertical.federated.auc - central)).toBeLessThanOrEqual(0.01);
    expect(result.vertical.federated.auc).toBeGreaterThan(guestOnly);
  }, 180_000);
});
