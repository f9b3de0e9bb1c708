import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { toCsv } from '@tessera/data';
import { BIN, killed, requireBuild, startCoordinatorProcess, tessera } from './cli.js';

/**
 * A data-trust payout from the command line: signed submission, consent grants, payouts show, ledger export and verify,
 * receipts.
 */
describe('tessera CLI payout workflow', () => {
  const tmp = tempDir('tessera-cli-payouts-');
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => killed(p, 'SIGTERM')));
    tmp.cleanup();
  });

  it("trains, values and pays under the members' grants; " +
    'the exported ledger verifies; each member keeps its receipt', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startCoordinatorProcess(dataDir);
    procs.push(coord.proc);
    const keys = join(tmp.dir, 'analyst-keys.json');
    const created = tessera(['keys', 'create', '--out', keys, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const identity = (JSON.parse(created.stdout) as { identity: string }).identity;
    const added = tessera(['coordinator', 'analysts', 'add', 'buyer', '--keys', keys, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);

    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 4);
    const configs: string[] = [];
    for (const [i, shard] of data.shards.entries()) {
      const name = `clinic-${i + 1}`;
      const enrolled = tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      const token = (JSON.parse(enrolled.stdout) as { token: string }).token;
      const initArgs = [
        'participant',
        'init',
        '--token',
        token,
        '--name',
        name,
        '--coordinator',
        coord.address,
        '--dataset',
        `patients=${csv}`,
        '--dir',
        join(tmp.dir, name),
        '--json',
      ];
      // A bad policy is refused before enrolling, naming the file and field; the token stays usable.
      const badPolicy = join(tmp.dir, `${name}-bad-policy.yaml`);
      writeFileSync(
        badPolicy,
        'grants:\n  - id: x\n    analysts: [nobody]\n    purposes: [train]\n    expires: 2099-12-31\n',
      );
      const refused = tessera([...initArgs, '--policy', badPolicy]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/bad-policy\.yaml: grants\[0\]\.analysts: unknown analyst "nobody"/);
      const policy = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(
        policy,
        `analysts:\n  buyer: ${identity}\ndatasets:\n  patients: { allowWithoutPrivacy: true }\n` +
          'grants:\n  - id: buyer-all\n    analysts: [buyer]\n' +
          '    purposes: [train, valuation]\n    expires: 2099-12-31\n',
      );
      const init = tessera([...initArgs, '--policy', policy]);
      expect(init.code, init.stderr).toBe(0);
      const configPath = (JSON.parse(init.stdout) as { configPath: string }).configPath;
      expect(readFileSync(configPath, 'utf8')).toMatch(/^policy: \.\.\/clinic-\d-policy\.yaml$/m);
      configs.push(configPath);
      procs.push(spawn(process.execPath, [BIN, 'participant', 'start', '--config', configPath], { stdio: 'ignore' }));
    }
    const validation = join(tmp.dir, 'validation.csv');
    writeFileSync(validation, toCsv(data.test));
    const spec = join(tmp.dir, 'job.yaml');
    writeFileSync(
      spec,
      'name: paid\ndataset: patients\nlabel: benign\nrounds: 3\nminParticipants: 3\nseed: 1\n' +
        'payout:\n  pool: 100001\n  currency: CNY\n  valuation: shapley\n  validation:\n    path: validation.csv\n',
    );
    const conn = ['--data-dir', dataDir, '--keys', keys];
    const env = { TESSERA_COORDINATOR: coord.address };

    const submitted = tessera(['job', 'submit', spec, '--watch', '--json', ...conn], { env });
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = JSON.parse(submitted.stdout) as {
      id: string;
      status: string;
      analystIdentity: string;
      spec: { payout: { validation: { csv: string } } };
    };
    expect(job.status).toBe('completed');
    expect(job.analystIdentity).toBe(identity);
    expect(job.spec.payout.validation.csv).toMatch(/validation rows held by the coordinator/);

    const shown = tessera(['payouts', 'show', '--job', job.id, '--json', ...conn], { env });
    expect(shown.code, shown.stderr).toBe(0);
    const payouts = JSON.parse(shown.stdout) as {
      status: string;
      entries: { amount: number }[];
      ledgerHead: string;
      coordinatorPublicKey: string;
    };
    expect(payouts.status).toBe('paid');
    expect(payouts.entries.reduce((s, e) => s + e.amount, 0)).toBe(100001);
    expect(tessera(['payouts', 'show', '--job', job.id, ...conn], { env }).stdout).toMatch(
      /100001 CNY .*split by shapley/,
    );

    const out = join(tmp.dir, 'ledger.jsonl');
    const exported = tessera(['ledger', 'export', '--out', out, '--json', ...conn], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout) as { entries: number; head: string; coordinatorPublicKey: string };
    expect(summary).toMatchObject({
      entries: 3,
      head: payouts.ledgerHead,
      coordinatorPublicKey: payouts.coordinatorPublicKey,
    });
    expect(tessera(['ledger', 'verify', out, '--key', summary.coordinatorPublicKey, '--head', summary.head]).code).toBe(
      0,
    );
    // Cutting the newest entry off is seen only against the published head.
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    const cut = join(tmp.dir, 'cut.jsonl');
    writeFileSync(cut, `${lines.slice(0, -1).join('\n')}\n`);
    expect(tessera(['ledger', 'verify', cut, '--key', summary.coordinatorPublicKey]).code).toBe(0);
    const headCheck = tessera(['ledger', 'verify', cut, '--key', summary.coordinatorPublicKey, '--head', summary.head]);
    expect(headCheck.code).not.toBe(0);
    expect(headCheck.stderr).toMatch(/line 3/);

    // Every member logged the disclosure for valuation and kept its signed receipt (it arrives after the job
    // completes).
    type Audit = { receipts: { job: string; amount: number }[]; log: { purpose: string; jobId: string }[] };
    const auditOf = (config: string) =>
      JSON.parse(tessera(['participant', 'audit', '--config', config, '--json']).stdout) as Audit;
    for (const config of configs) {
      await expect.poll(() => auditOf(config).receipts, { timeout: 10_000, interval: 250 }).toHaveLength(1);
      const audit = auditOf(config);
      expect(audit.receipts[0].job).toBe(job.id);
      expect(audit.log.some((e) => e.purpose === 'valuation' && e.jobId === job.id)).toBe(true);
      expect(tessera(['participant', 'audit', '--config', config, '--verify']).code).toBe(0);
    }
  }, 180_000);
});
