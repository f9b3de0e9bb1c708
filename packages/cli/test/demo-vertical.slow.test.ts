// tessera demo --vertical --model secureboost (small: 3 trees of depth 3, about 50 s): SecureBoost against the
// plaintext GBDT on the joined columns and on the guest's columns alone, same customers and hyperparameters.
import { beforeAll, describe, expect, it } from 'vitest';
import { verticalDemoReport } from '../src/demo/vertical/print-vertical-demo.js';
import type { VerticalDemoResult } from '../src/demo/vertical/run-vertical-demo.js';
import { runCli, type CliRun } from './in-process.js';

describe('tessera demo --vertical --model secureboost', () => {
  let run: CliRun;
  let result: VerticalDemoResult;
  beforeAll(async () => {
    run = await runCli([
      'demo',
      '--vertical',
      '--model',
      'secureboost',
      '--trees',
      '3',
      '--depth',
      '3',
      '--inline',
      '--json',
    ]);
    if (run.code !== 0) throw new Error(`the vertical demo failed: ${run.stderr}`);
    result = JSON.parse(run.stdout);
  }, 300_000);

  it('is within 0.01 AUC of the plaintext GBDT on the same customers, and above the guest alone', () => {
    const v = result.vertical;
    console.log(
      `vertical demo SecureBoost: federated ${JSON.stringify(v.federated)}, centralized ` +
        `${JSON.stringify(v.centralized)}, guest-only ${JSON.stringify(v.guestOnly)}, seconds ` +
        `${JSON.stringify(v.seconds)}, relayed ${v.relayedBytes} bytes`,
    );
    expect(v.model).toBe('secureboost');
    expect(v.settings).toMatchObject({ kind: 'secureboost', trees: 3, depth: 3, bins: 32 });
    expect(Math.abs(v.federated.auc - v.centralized.auc)).toBeLessThanOrEqual(0.01);
    expect(v.federated.auc).toBeGreaterThan(v.guestOnly.auc);
    expect(v.federated.testRows).toBe(v.centralized.testRows);
    expect(v.federated.trainRows).toBe(v.guestOnly.trainRows);
  });

  it('reports every tree on stderr, and the table names the GBDT baseline', () => {
    for (let t = 1; t <= 3; t++) expect(run.stderr).toContain(`bank train: tree ${t} of 3`);
    const text = verticalDemoReport(result);
    expect(text).toMatch(/model: SecureBoost, 3 trees of depth 3/);
    expect(text).toMatch(/baselines: plaintext GBDT/);
    expect(text).toMatch(/^centralized \(joined data\)\s+0\.\d{4}/m);
  });
});
