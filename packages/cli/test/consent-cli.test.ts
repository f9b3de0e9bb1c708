import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, joinedRegExp } from '@tessera/test-support';
import { PrivacyLedger } from '@tessera/participant';
import { requireBuild, tessera } from './cli.js';
import { runCli } from './in-process.js';

const ACME = '3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29';

describe('tessera participant grants, revoke and audit --verify', () => {
  const { dir, cleanup } = tempDir('tessera-consent-cli-');
  const config = join(dir, 'participant.yaml');
  const ledgerPath = join(dir, 'shop-ledger.sqlite');
  beforeAll(() => {
    requireBuild();
    writeFileSync(join(dir, 'customers.csv'), 'age,spend,churned\n30,10,1\n40,20,0\n');
    writeFileSync(
      config,
      [
        'name: shop',
        'coordinator: 127.0.0.1:7070',
        'participantId: p-1',
        'identityKey: identity.key',
        'policy: ./policy.yaml',
        'datasets:',
        '  customers: { type: csv, path: ./customers.csv }',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'policy.yaml'),
      [
        'analysts:',
        `  acme-research: ${ACME}`,
        'datasets:',
        '  customers: { columns: [age, spend, churned], label: churned }',
        'grants:',
        '  - id: acme-train',
        '    analysts: [acme-research]',
        '    purposes: [train, valuation]',
        '    budget: { perJob: 2, total: 8 }',
        '    expires: 2099-06-30',
        '  - id: acme-q',
        '    analysts: [acme-research]',
        '    purposes: [query]',
        '    expires: 2099-06-30',
        '',
      ].join('\n'),
    );
  });
  afterAll(cleanup);

  it('lists grants, revokes one durably (unknown ids are named) and shows it in grants and the audit log', async () => {
    const before = await runCli(['participant', 'grants', '--config', config, '--json']);
    expect(before.code).toBe(0);
    expect((JSON.parse(before.stdout) as { id: string; status: string }[]).map((g) => [g.id, g.status])).toEqual([
      ['acme-train', 'active'],
      ['acme-q', 'active'],
    ]);

    const unknown = await runCli(['participant', 'revoke', 'acme', '--config', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /policy\.yaml: grants: no grant "acme" in the policy; its grant ids: acme-train, acme-q/,
    );

    const revoked = await runCli(['participant', 'revoke', 'acme-q', '--config', config, '--reason', 'contract ended']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(
      /^revoked grant acme-q at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(contract ended\); recorded in .*shop-ledger\.sqlite/,
    );
    expect((await runCli(['participant', 'revoke', 'acme-q', '--config', config])).stdout).toMatch(
      /grant acme-q was already revoked at .* \(contract ended\); nothing changed/,
    );

    const table = await runCli(['participant', 'grants', '--config', config]);
    expect(table.stdout).toMatch(/acme-q\s+│?\s*revoked at \S+ \(contract ended\)/);
    expect(table.stdout).toMatch(/acme-train\s+│?\s*active/);

    const audit = await runCli(['participant', 'audit', '--config', config, '--json']);
    expect(audit.code).toBe(0);
    const a = JSON.parse(audit.stdout) as {
      log: { id: number; kind: string; grantId: string; reason: string }[];
      chain: { ok: boolean; head: string };
      uses: unknown[];
      datasets: unknown[];
      receipts: unknown[];
    };
    expect(a.log).toMatchObject([{ id: 1, kind: 'revocation', grantId: 'acme-q', reason: 'contract ended' }]);
    expect(a.chain).toMatchObject({ ok: true, entries: 1 });
    expect(a.uses).toEqual([]);
    expect(a.datasets).toHaveLength(1);
  });

  it('audit --verify prints the head hash, and exits 1 naming the first entry after a row was edited', async () => {
    const ledger = new PrivacyLedger(ledgerPath);
    for (let i = 1; i <= 3; i++) {
      ledger.appendAudit({
        kind: 'use',
        at: Date.now(),
        jobId: `job-${i}`,
        round: i,
        stage: 'fit',
        purpose: 'train',
        dataset: 'customers',
        columns: ['age', 'spend', 'churned'],
        rows: 2,
        epsilon: 0.5,
        analyst: ACME,
        grantId: 'acme-train',
        reason: '',
      });
    }
    ledger.storeReceipt('{"jobId":"job-1","amount":"12.50"}');
    ledger.close();

    const ok = await runCli(['participant', 'audit', '--config', config, '--verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit log: 4 entries, chain intact; head hash [0-9a-f]{64}/);
    const shown = await runCli(['participant', 'audit', '--config', config]);
    expect(shown.stdout).toMatch(/job-2/);
    expect(shown.stdout).toMatch(/age, spend, churned/);
    expect(shown.stdout).toMatch(/payout receipts: 1/);
    const json = JSON.parse((await runCli(['participant', 'audit', '--config', config, '--json'])).stdout) as {
      receipts: unknown[];
    };
    expect(json.receipts).toEqual([{ jobId: 'job-1', amount: '12.50' }]);

    const db = new Database(ledgerPath);
    db.prepare(`UPDATE audit_log SET entry_json = replace(entry_json, '"rows":2', '"rows":20') WHERE id = 3`).run();
    db.close();
    // A real process: a cron job or script relies on the exit code.
    const bad = tessera(['participant', 'audit', '--config', config, '--verify']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      joinedRegExp(
        /the audit log's hash chain is broken at entry 3: its hash does not match its id and contents: /,
        /the row was edited/,
      ),
    );
    const badJson = await runCli(['participant', 'audit', '--config', config, '--verify', '--json']);
    expect(badJson.code).toBe(1);
    expect(JSON.parse(badJson.stdout).chain).toMatchObject({ ok: false, badId: 3 });
  });

  it('names the field of a bad policy, and a config without a policy', async () => {
    writeFileSync(
      join(dir, 'bad-policy.yaml'),
      'grants:\n  - id: g\n    analysts: [acme]\n    purposes: [train]\n    expires: 2099-01-01\n',
    );
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(
      badConfig,
      [
        'name: shop',
        'coordinator: 127.0.0.1:7070',
        'participantId: p-1',
        'identityKey: identity.key',
        'policy: ./bad-policy.yaml',
        'datasets:',
        '  customers: { type: csv, path: ./customers.csv }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['participant', 'grants', '--config', badConfig]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bad-policy\.yaml: grants\[0\]\.analysts: unknown analyst "acme"; declare it under analysts/,
    );
    const plain = join(dir, 'plain.yaml');
    writeFileSync(
      plain,
      [
        'name: shop',
        'coordinator: 127.0.0.1:7070',
        'participantId: p-1',
        'identityKey: identity.key',
        'datasets:',
        '  customers: { type: csv, path: ./customers.csv }',
        '',
      ].join('\n'),
    );
    expect((await runCli(['participant', 'revoke', 'x', '--config', plain])).stderr).toMatch(
      /plain\.yaml: this node has no consent policy/,
    );
  });
});
