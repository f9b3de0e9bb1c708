// The analyst's vertical commands against a local federation: job submit, job result, score --vertical.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalystKeys, LocalFederation, saveAnalystKeys } from '@tessera/sdk';
import { tempDir } from '../../sdk/test/helpers.js';
import { ID, LABEL, verticalTables } from '../../sdk/test/vertical-fixture.js';
import { runCli } from './in-process.js';

const json = <T>(s: string) => JSON.parse(s) as T;

describe('tessera job submit|result and score --vertical', () => {
  const tmp = tempDir();
  const tables = verticalTables('cli');
  let fed: LocalFederation;
  let conn: string[];
  let jobId = '';

  beforeAll(async () => {
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards: [tables.guest, tables.host],
      names: ['bank', 'platform'],
      runtime: 'inline',
    });
    const keys = join(tmp.dir, 'alice-keys.json');
    saveAnalystKeys(keys, await createAnalystKeys());
    const dataDir = join(tmp.dir, 'coordinator');
    const added = await runCli(['coordinator', 'analysts', 'add', 'alice', '--keys', keys, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    conn = ['--keys', keys, '--coordinator', fed.address];
  }, 60_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('submits a vertical spec, shows its held-out metrics, and writes the guest part of the model', async () => {
    const [bank, platform] = fed.participants.map((p) => p.id);
    const spec = join(tmp.dir, 'risk.yaml');
    writeFileSync(
      spec,
      [
        'name: joint risk',
        'kind: vertical',
        'parties:',
        `  - { participant: ${bank}, dataset: customers, idColumn: ${ID}, role: guest, label: ${LABEL} }`,
        `  - { participant: ${platform}, dataset: customers, idColumn: ${ID}, role: host }`,
        'model: { kind: vertical-logistic, epochs: 3, batchSize: 64 }',
        'seed: 5',
        '',
      ].join('\n'),
    );
    const submitted = await runCli(['job', 'submit', spec, '--watch', ...conn]);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/vertical-logistic/);
    expect(submitted.stdout).toMatch(/held out/);
    // Progress from the parties reaches the analyst: the phase and the epoch counts.
    expect(submitted.stderr).toMatch(/guest p-[0-9a-f]+: training \d of 3/);
    jobId = /job (job-[0-9a-f]+)/.exec(submitted.stdout)![1]!;

    const out = join(tmp.dir, 'guest-model.json');
    const result = await runCli(['job', 'result', jobId, '--out', out, ...conn]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/the guest's part of the model written to/);
    const saved = json<{ job: { id: string; overlap: number }; guestModel: { featureNames: string[] } }>(
      readFileSync(out, 'utf8'),
    );
    expect(saved.job).toMatchObject({ id: jobId, overlap: tables.shared.length });
    expect(saved.guestModel.featureNames).toEqual(tables.features.guest);
    const asJson = await runCli(['job', 'result', jobId, '--json', ...conn]);
    expect(json<{ vertical: { federated: { auc: number } } }>(asJson.stdout).vertical.federated.auc).toBeGreaterThan(
      0.95,
    );
  }, 120_000);

  it('scores jointly with --vertical --job, printing the count and distribution the analyst receives', async () => {
    const scored = await runCli(['score', '--vertical', '--job', jobId, '--json', ...conn]);
    expect(scored.code, scored.stderr).toBe(0);
    const r = json<{ jobId: string; verticalScore: { scored: number; histogram: number[]; model: string } }>(
      scored.stdout,
    );
    expect(r.verticalScore).toMatchObject({ scored: tables.shared.length, model: jobId });
    expect(r.verticalScore.histogram.reduce((a, b) => a + b, 0)).toBe(tables.shared.length);
    const text = await runCli(['score', '--vertical', '--job', jobId, ...conn]);
    expect(text.stdout).toMatch(/shared customers scored with job .*each score stays with the guest/s);
  }, 120_000);

  it('refuses vertical flags used wrongly, naming the fix', async () => {
    const noJob = await runCli(['score', '--vertical', ...conn]);
    expect(noJob.code).not.toBe(0);
    expect(noJob.stderr).toMatch(/--vertical needs --job ID/);
    const noVertical = await runCli(['score', '--job', jobId, '--dataset', 'customers', ...conn]);
    expect(noVertical.stderr).toMatch(/--job needs --vertical/);
    const withModel = await runCli(['score', '--vertical', '--job', jobId, '--model', 'm.json', ...conn]);
    expect(withModel.stderr).toMatch(/a vertical model stays with its parties/);
  });
});
