// tessera demo --vertical: the column and row split of the data, refusals of bad input naming the flag, and a default
// vertical logistic regression run against plaintext centralised and guest-only baselines on the same customers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHeldOut } from '@tessera/vertical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verticalDemoReport } from '../src/demo/vertical/print-vertical-demo.js';
import type { VerticalDemoResult } from '../src/demo/vertical/run-vertical-demo.js';
import { heldOutRows } from '../src/demo/vertical/vertical-baselines.js';
import { loadVerticalData } from '../src/demo/vertical/vertical-data.js';
import { VERTICAL_DEMO_DATA } from '../src/demo/vertical/vertical-flags.js';
import { example } from './demo-options.js';
import { runCli, type CliRun } from './in-process.js';

const CSV = example('breast_cancer');

describe('the vertical demo splits one table by columns and rows', () => {
  it('gives the guest the label and the first 10 columns, the host the other 20, 80% of customers at both', () => {
    const d = loadVerticalData({ data: CSV, label: 'benign', overlap: 0.8, seed: '42' });
    expect(d.guestColumns).toHaveLength(10);
    expect(d.guestColumns[0]).toBe('mean_radius');
    expect(d.hostColumns).toHaveLength(20);
    expect(d.hostColumns).not.toContain('benign');
    expect([...d.guestColumns, ...d.hostColumns].sort()).toHaveLength(30);
    expect(d.shared.length).toBe(Math.round(0.8 * 569));
    expect(d.shared.length + d.guestOnly + d.hostOnly).toBe(569);
    expect(d.guestTable.columns).toEqual([d.idColumn, 'benign', ...d.guestColumns]);
    expect(d.hostTable.columns).toEqual([d.idColumn, ...d.hostColumns]);
    expect(d.guestTable.rows).toHaveLength(d.shared.length + d.guestOnly);
    expect(d.hostTable.rows).toHaveLength(d.shared.length + d.hostOnly);
    const guestIds = new Set(d.guestTable.rows.map((r) => r[0]));
    const hostIds = new Set(d.hostTable.rows.map((r) => r[0]));
    expect([...guestIds].filter((id) => hostIds.has(id))).toHaveLength(d.shared.length);
    for (const r of d.shared) expect(guestIds.has(`customer-${r + 1}`) && hostIds.has(`customer-${r + 1}`)).toBe(true);
    // A customer's cells at each node are its row of the file; the two sides list rows in different orders.
    const row = d.guestTable.rows.find((r) => r[0] === 'customer-1')!;
    expect(row.slice(1, 4)).toEqual(['0', '17.99', '10.38']);
    expect(d.hostTable.rows.find((r) => r[0] === 'customer-1')![1]).toBe('1.095');
    expect(d.guestTable.rows.map((r) => r[0])).not.toEqual(d.hostTable.rows.map((r) => r[0]));
    // The same seed deals the same rows; another seed others.
    const again = loadVerticalData({ data: CSV, label: 'benign', overlap: 0.8, seed: '42' });
    expect(again.guestTable.rows).toEqual(d.guestTable.rows);
    const other = loadVerticalData({ data: CSV, label: 'benign', overlap: 0.8, seed: '7' });
    expect(other.guestTable.rows).not.toEqual(d.guestTable.rows);
  });

  it('an overlap of 1 puts every customer at both nodes; --guest-columns picks the guest columns', () => {
    const d = loadVerticalData({
      data: CSV,
      label: 'benign',
      overlap: 1,
      seed: 's',
      guestColumns: ['worst_area', 'mean_radius'],
    });
    expect(d.shared.length).toBe(569);
    expect(d.guestOnly + d.hostOnly).toBe(0);
    expect(d.guestColumns).toEqual(['worst_area', 'mean_radius']);
    expect(d.hostColumns).toHaveLength(28);
    expect(d.hostColumns).not.toContain('worst_area');
  });

  it('holds out the shared customers that isHeldOut picks, as the parties do', () => {
    const d = loadVerticalData({ data: CSV, label: 'benign', overlap: 0.8, seed: '42' });
    const { train, test } = heldOutRows(d, '42', 0.2);
    expect(train.length + test.length).toBe(d.shared.length);
    for (const r of test) expect(isHeldOut(d.ids[r]!, '42', 0.2)).toBe(true);
    for (const r of train) expect(isHeldOut(d.ids[r]!, '42', 0.2)).toBe(false);
    expect(test.length / d.shared.length).toBeGreaterThan(0.1);
    expect(test.length / d.shared.length).toBeLessThan(0.3);
  });

  it('bundles the breast cancer data as the default', () => {
    const d = loadVerticalData({ data: VERTICAL_DEMO_DATA, label: 'benign', overlap: 0.8, seed: '1' });
    expect(d.ids).toHaveLength(569);
  });
});

describe('tessera demo --vertical refuses bad input, naming the flag or column and the fix', () => {
  let dir: string;
  let textCsv: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-vertical-demo-test-'));
    textCsv = join(dir, 'with-text.csv');
    writeFileSync(textCsv, 'a,b,colour,y\n1,2,red,0\n3,4,blue,1\n5,6,red,1\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (args: string[], message: RegExp): Promise<CliRun> => {
    const r = await runCli(['demo', '--vertical', '--inline', ...args]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    return r;
  };

  it('the label among --guest-columns, or a label the file lacks', async () => {
    await refused(['--guest-columns', 'mean_radius,benign'], /--guest-columns lists the label benign/);
    await refused(['--data', CSV, '--label', 'malignant'], /--label malignant: breast_cancer\.csv has no such column/);
    await refused(['--data', CSV], /--data needs --label/);
  });

  it('a guest column not in the file, a non-numeric column, no host column left', async () => {
    await refused(['--guest-columns', 'mean_radius,radius_mean'], /--guest-columns: .* has no column radius_mean/);
    await refused(['--data', textCsv, '--label', 'y', '--guest-columns', 'a'], /column colour .* is not numeric/);
    await refused(
      ['--data', textCsv, '--label', 'y', '--guest-columns', 'a,b,colour'],
      /no column is left for the host/,
    );
    await refused(
      ['--data', textCsv, '--label', 'colour', '--guest-columns', 'a'],
      /--label colour: data row 1 .* not a 0\/1 label/,
    );
  });

  it('an overlap outside (0, 1], a horizontal model, a batch too small for the columns', async () => {
    await refused(['--overlap', '0'], /--overlap must be in \(0, 1\]/);
    await refused(['--overlap', '1.5'], /--overlap must be in \(0, 1\]/);
    await refused(['--overlap', 'x'], /--overlap must be in \(0, 1\]/);
    await refused(
      ['--model', 'logistic'],
      /--model logistic is a horizontal model; .* vertical-logistic or secureboost/,
    );
    await refused(['--batch-size', '16'], /--batch-size 16 is too small .* give --batch-size 40 or more/);
    await refused(['--test-fraction', '0.6'], /--test-fraction must be in \(0, 0\.5\]/);
  });

  it('flags of the other demo or model', async () => {
    await refused(['--rounds', '3'], /--rounds applies to the horizontal demo only/);
    await refused(['--secure', 'none'], /--secure applies to the horizontal demo only/);
    await refused(['--trees', '3'], /--trees applies to --model secureboost, not vertical-logistic/);
    await refused(['--model', 'secureboost', '--epochs', '3'], /--epochs applies to --model vertical-logistic/);
    await refused(['--model', 'secureboost', '--depth', '9'], /--depth must be a whole number from 1 to 8/);
    const r = await runCli(['demo', '--overlap', '0.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--overlap applies to the vertical demo only; add --vertical/);
  });

  it('--help shows a vertical example', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.stdout).toMatch(/\$ tessera demo --vertical/);
    expect(r.stdout).toMatch(/--guest-columns/);
  });
});

describe('tessera demo --vertical (vertical logistic regression, defaults)', () => {
  let run: CliRun;
  let v: Record<string, unknown> & {
    federated: Record<string, number>;
    centralized: Record<string, number>;
    guestOnly: Record<string, number>;
  };
  beforeAll(async () => {
    run = await runCli(['demo', '--vertical', '--inline', '--json']);
    if (run.code !== 0) throw new Error(`the vertical demo failed: ${run.stderr}`);
    v = JSON.parse(run.stdout).vertical;
  }, 120_000);

  it('prints the JSON contract: model, overlap, federated, centralized and guestOnly metrics', () => {
    expect(Object.keys(JSON.parse(run.stdout))).toEqual(['vertical']);
    expect(v.model).toBe('vertical-logistic');
    expect(v.overlap).toBe(0.8);
    for (const part of [v.federated, v.centralized, v.guestOnly]) {
      for (const k of ['auc', 'accuracy', 'logLoss', 'trainRows', 'testRows'])
        expect(Number.isFinite(part[k]), k).toBe(true);
      expect(part.testRows).toBe(v.federated.testRows);
      expect(part.trainRows).toBe(v.federated.trainRows);
    }
    expect(v.federated.trainRows + v.federated.testRows).toBe(Math.round(0.8 * 569));
    expect(v.sharedFound).toBe(Math.round(0.8 * 569));
    expect(v.relayedBytes).toBeGreaterThan(0);
  });

  it('is within 0.01 AUC of centralised LR on the same customers, and above guest-only', () => {
    console.log(
      `vertical demo LR: federated ${JSON.stringify(v.federated)}, centralized ${JSON.stringify(v.centralized)}, ` +
        `guest-only ${JSON.stringify(v.guestOnly)}, seconds ${JSON.stringify(v.seconds)}`,
    );
    expect(Math.abs(v.federated.auc! - v.centralized.auc!)).toBeLessThanOrEqual(0.01);
    expect(v.federated.auc).toBeGreaterThan(v.guestOnly.auc!);
    expect(v.centralized.auc).toBeGreaterThan(v.guestOnly.auc!);
  });

  it('reports progress on stderr: alignment, every epoch, the job', () => {
    expect(run.stderr).toMatch(/bank align: 455 identifiers shared/);
    for (let e = 1; e <= 5; e++) expect(run.stderr).toContain(`bank train: epoch ${e} of 5`);
    expect(run.stderr).toMatch(/job: completed: 455 shared customers/);
  });

  it('renders the comparison table from the same result', () => {
    const text = verticalDemoReport(JSON.parse(run.stdout) as VerticalDemoResult);
    expect(text).toMatch(/^federated \(Tessera\)\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}\s+\d+\/\d+/m);
    expect(text).toMatch(/^centralized \(joined data\)/m);
    expect(text).toMatch(/^bank alone \(guest-only\)/m);
    expect(text).toMatch(/customers: 455 at both nodes \(--overlap 0\.8\), 57 at bank only, 57 at platform only/);
    expect(text).toMatch(/baselines: plaintext logistic regression .* same epochs, batch size, learning rate and l2/);
  });
});
