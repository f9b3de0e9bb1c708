// `tessera participant check JOB.yaml`: a node's data sets against a job spec, locally, with the reason for each no.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { runCli } from './in-process.js';

type Report = {
  job: string;
  dataset: string;
  ok: boolean;
  findings: { check: string; status: string; detail: string }[];
};

describe('tessera participant check', () => {
  const tmp = tempDir('tessera-participant-check-');
  afterAll(() => tmp.cleanup());
  const at = (f: string) => join(tmp.dir, f);
  const rows = Array.from({ length: 40 }, (_, i) =>
    [20 + (i % 30), ['north', 'south'][i % 2], (i * 7) % 100, i % 3 === 0 ? 'yes' : 'no'].join(','),
  );
  writeFileSync(at('customers.csv'), `age,region,spend,repurchase\n${rows.join('\n')}\n`);
  writeFileSync(
    at('policy.yaml'),
    [
      'analysts: {}',
      'datasets:',
      '  customers: { columns: [age, region, spend, repurchase] }',
      'grants:',
      '  - { id: g-train, analysts: ["*"], purposes: [train], datasets: [customers], expires: 2099-01-01,' +
        ' budget: { perJob: 2 } }',
      '',
    ].join('\n'),
  );
  const config = (extra: string) => {
    const file = at(`participant-${Math.abs(hash(extra))}.yaml`);
    writeFileSync(
      file,
      [
        'name: merchant-a',
        'coordinator: 127.0.0.1:7443',
        'participantId: p-test',
        'identityKey: ./identity.key',
        'datasets:',
        `  customers: { type: csv, path: ./customers.csv${extra} }`,
        'policy: ./policy.yaml',
        '',
      ].join('\n'),
    );
    return file;
  };
  const job = (name: string, body: string) => {
    const file = at(`${name}.yaml`);
    writeFileSync(file, `name: ${name}\nrounds: 2\nminParticipants: 2\n${body}`);
    return file;
  };
  const check = async (jobFile: string, configFile: string) => {
    const r = await runCli(['participant', 'check', jobFile, '--config', configFile, '--json']);
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  };
  const failed = (r: Report) => r.findings.filter((f) => f.status === 'fail').map((f) => `${f.check}: ${f.detail}`);

  it('a job the node can serve passes every check, naming the grant', async () => {
    const r = await check(
      job(
        'ok',
        'dataset: customers\nlabel: repurchase\nprivacy: { mode: distributed, epsilon: 1 }\n' +
          'domains: { region: [north, south] }\n',
      ),
      config(''),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.ok, failed(r.report).join('\n')).toBe(true);
    expect(r.report.findings.find((f) => f.check === 'consent')?.detail).toContain('g-train');
  });

  it('an unserved data set, a missing label or feature, and a policy refusal each fail with the reason', async () => {
    const unserved = await check(job('orders', 'dataset: orders\nlabel: repurchase\n'), config(''));
    expect(unserved.code).toBe(1);
    expect(failed(unserved.report)).toEqual([
      'data set: this node serves no data set "orders" (it serves: customers): ' +
        'add datasets.orders to the participant config',
    ]);

    const label = await check(
      job('churn', 'dataset: customers\nlabel: churned\nfeatures: [age, tenure]\n'),
      config(''),
    );
    expect(label.code).toBe(1);
    const reasons = failed(label.report).join('\n');
    expect(reasons).toContain('label column "churned" is not served by "customers"');
    expect(reasons).toContain('features not served by "customers": tenure');

    // No DP: the policy requires it; a secure mode weaker than the data set's minimum; epsilon above the grant's cap.
    const plain = await check(
      job('plain', 'dataset: customers\nlabel: repurchase\nsecure: { mode: none }\n'),
      config(', secure: masked'),
    );
    expect(plain.code).toBe(1);
    const why = failed(plain.report).join('\n');
    expect(why).toContain('the policy requires it for "customers"');
    expect(why).toContain("the job's secure mode is none, datasets.customers.secure requires masked or stronger");

    const greedy = await check(
      job('greedy', 'dataset: customers\nlabel: repurchase\nprivacy: { mode: distributed, epsilon: 5 }\n'),
      config(''),
    );
    expect(failed(greedy.report).join('\n')).toContain("caps epsilon per job below the job's 5");
  });
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
