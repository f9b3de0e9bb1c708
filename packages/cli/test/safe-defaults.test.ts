import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateCommerce, selectRows, toCsv } from '@tessera/data';
import { declaredQueryToProto, tessera as proto } from '@tessera/proto';
import {
  connectLocalAnalyst,
  createEnrollmentToken,
  initParticipant,
  startCoordinator,
  startParticipant,
  type AnalystClient,
  type Coordinator,
  type ParticipantNode,
} from '@tessera/sdk';
import { ConsentRefusal, ProtectionRefusal, type InitResult } from '@tessera/participant';
import { tempDir } from '../../sdk/test/helpers.js';
import { runCli } from './in-process.js';
import { joinedRegExp } from '@tessera/test-support';

/** The query: one named customer's exact spend. */
const ONE_CUSTOMER = "SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE customer_id = 'm1-000002'";
const BOUNDS = { monetary_total: [0, 5000] as [number, number] };
const DP = { mode: 'distributed' as const, epsilon: 1, delta: 1e-6 };

/**
 * Issue 12, "safe by default": two merchants initialised exactly as the README shows (one with the
 * CLI, one with initParticipant, no flags beyond token, name and data set), against a real
 * coordinator in this process.
 */
describe('safe by default: freshly initialised participant nodes', () => {
  const tmp = tempDir('tessera-safe-defaults-');
  const dataDir = join(tmp.dir, 'coordinator');
  let coordinator: Coordinator;
  let analyst: AnalystClient;
  let cliOut = '';
  const inits: InitResult[] = [];
  const nodes: ParticipantNode[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    const table = generateCommerce({ merchants: 2, customersPerMerchant: 300, seed: 12 });
    const m = table.columns.indexOf('merchant');
    coordinator = await startCoordinator({ dataDir, listen: '127.0.0.1:0' });
    const csvs = ['m1', 'm2'].map((id) => {
      const csv = join(tmp.dir, `${id}.csv`);
      writeFileSync(
        csv,
        toCsv(
          selectRows(
            table,
            table.rows.flatMap((r, i) => (r[m] === id ? [i] : [])),
          ),
        ),
      );
      return csv;
    });
    // Merchant 1 by the CLI, as the README shows (in this process, where the coordinator answers).
    const cli = await runCli([
      'participant',
      'init',
      '--token',
      await createEnrollmentToken(dataDir, 'merchant-1'),
      '--name',
      'merchant-1',
      '--coordinator',
      coordinator.address,
      '--dataset',
      `customers=${csvs[0]}`,
      '--dir',
      join(tmp.dir, 'merchant-1'),
      '--json',
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    inits.push(JSON.parse(cli.stdout) as InitResult);
    const text = await runCli([
      'participant',
      'init',
      '--token',
      await createEnrollmentToken(dataDir, 'merchant-1b'),
      '--name',
      'merchant-1b',
      '--coordinator',
      coordinator.address,
      '--dataset',
      `customers=${csvs[0]}`,
      '--dir',
      join(tmp.dir, 'merchant-1b'),
    ]);
    expect(text.code, text.stderr).toBe(0);
    cliOut = text.stdout;
    // Merchant 2 through the SDK, with no options beyond the README's.
    inits.push(
      await initParticipant({
        dir: join(tmp.dir, 'merchant-2'),
        coordinator: coordinator.address,
        token: await createEnrollmentToken(dataDir, 'merchant-2'),
        name: 'merchant-2',
        datasets: { customers: { type: 'csv', path: csvs[1] } },
      }),
    );
    for (const r of inits) nodes.push(await startParticipant(r.configPath, (line) => logs.push(line)));
    analyst = await connectLocalAnalyst({
      dataDir,
      address: coordinator.address,
      security: coordinator.clientSecurity,
      name: 'analyst',
    });
  }, 60_000);

  afterAll(async () => {
    analyst?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await coordinator?.stop();
    tmp.cleanup();
  });

  it('init writes a starter policy and a budget beside the config, and says in plain words what they allow', () => {
    for (const r of inits) {
      expect(r.starterPolicy).toBe(true);
      expect(r.policyPath).toBe(join(r.configPath, '..', 'policy.yaml'));
      const config = parse(readFileSync(r.configPath, 'utf8')) as {
        policy: string;
        datasets: { customers: { budget: unknown } };
      };
      expect(config.policy).toBe('policy.yaml');
      expect(config.datasets.customers.budget).toEqual({ epsilon: 10, delta: 1e-6, unit: 'record' });
      const policy = parse(readFileSync(r.policyPath!, 'utf8')) as {
        datasets: Record<string, unknown>;
        grants: { analysts: string[]; purposes: string[] }[];
      };
      // customer_id is unique per row and named like a key; monetary_total is unique too, but an amount, not a key.
      expect(policy.datasets.customers).toEqual({
        minGroupSize: 20,
        identifierColumns: ['customer_id'],
        allowIdentifierQueries: false,
        allowWithoutPrivacy: false,
      });
      expect(policy.grants).toMatchObject([{ analysts: ['*'], purposes: ['train', 'query'] }]);
      expect(r.identifierColumns.customers).toEqual([{ column: 'customer_id', why: ['unique', 'name'] }]);
    }
    expect(existsSync(join(tmp.dir, 'merchant-1b', 'policy.yaml'))).toBe(true);
    expect(cliOut).toMatch(
      joinedRegExp(
        /^enrolled as p-[0-9a-f]+; /,
        /config written to .*participant\.yaml\nstarter consent policy written to .*policy\.yaml\n/,
      ),
    );
    for (const phrase of [
      'grant starter: any analyst may use data set customers for training models and aggregate queries, until',
      'not granted to anyone: encrypted scoring and payout valuation',
      'differential privacy required: jobs and queries without it (privacy.mode none, --dp none) are refused',
      'privacy budget: epsilon 10 at delta 1e-6, protecting each row (unit record)',
      'every released aggregate must cover at least 20 rows (minGroupSize)',
      'identifier columns, refused as filters (WHERE) and group keys (GROUP BY): customer_id',
    ])
      expect(cliOut).toContain(phrase);
    // A safe node has nothing to warn about at start.
    expect(logs.filter((l) => l.includes('warning'))).toEqual([]);
  });

  it('the single-customer query without DP is refused: at submission, and by each node itself', async () => {
    const submitted = analyst.submit({
      kind: 'query',
      sql: ONE_CUSTOMER,
      bounds: BOUNDS,
      privacy: { mode: 'none' },
      minParticipants: 2,
    });
    await expect(submitted).rejects.toThrow(
      /keeps a privacy budget for data set "customers" .* and serves only differentially private jobs/,
    );
    // A coordinator that forwarded it anyway: each node's consent check refuses it before reading anything.
    const forged: proto.v1.ITask = {
      ref: { jobId: 'job-forged', round: 0, stage: proto.v1.Stage.QUERY },
      dataset: 'customers',
      query: declaredQueryToProto({ sql: ONE_CUSTOMER, options: { bounds: BOUNDS, domains: {}, minCount: 0 } }),
    };
    for (const node of nodes) {
      // Without a secure setup the node's own minimums refuse it first (it would travel in plaintext).
      expect(() => node.admitData(forged, proto.v1.Stage.QUERY)).toThrow(ProtectionRefusal);
    }
    for (const [index, node] of nodes.entries()) {
      // With one that meets them, the consent check refuses it.
      const secure = {
        participantIds: nodes.map((n) => n.id),
        identityKeys: nodes.map((n) => n.identityKey),
        threshold: nodes.length,
        index,
      };
      const withSecure = { ...forged, secure };
      expect(() => node.admitData(withSecure, proto.v1.Stage.QUERY)).toThrow(ConsentRefusal);
      expect(() => node.admitData(withSecure, proto.v1.Stage.QUERY)).toThrow(
        /data set "customers" is served only with differential privacy, and this query has no differential privacy/,
      );
      expect(node.ledger.uses()).toEqual([]);
    }
  });

  /** Runs a DP query job to its end; returns the final view. */
  const dpQuery = async (sql: string, extra: object = {}) => {
    const job = await analyst.submit({
      kind: 'query',
      sql,
      bounds: BOUNDS,
      privacy: DP,
      minParticipants: 2,
      roundTimeoutSeconds: 20,
      waitForParticipantsSeconds: 10,
      ...extra,
    });
    return analyst.watch(job.id);
  };
  const refusedFor = (column: string, how: string) => new RegExp(`column "${column}" as a ${how}`);

  /** What the job says each node refused with: its refusals, or the failed secure round's error that lists them. */
  const reasonsOf = (done: { refusals: { reason: string }[]; error?: string }) =>
    [...done.refusals.map((r) => r.reason), done.error ?? ''].join('\n');

  it('the single-customer query with DP is refused by each node (customer_id is an identifier), ' +
    'the reason in the job and the audit log', async () => {
    const done = await dpQuery(ONE_CUSTOMER);
    expect(done.status).toBe('failed');
    const reasons = reasonsOf(done);
    for (const node of nodes)
      expect(reasons).toMatch(
        new RegExp(`${node.id}: query refused by the data owner's rules: it uses column "customer_id" as a filter`),
      );
    expect(reasons).toMatch(/datasets\.customers\.allowIdentifierQueries: true/);
    // The refusals reach the analyst as refusals (not only in the error), one per node.
    expect(done.refusals.map((r) => r.participantId).sort()).toEqual(nodes.map((n) => n.id).sort());
    expect(reasons).not.toMatch(/\b300\b/);
    for (const node of nodes) {
      const entry = node.ledger.auditLog().find((e) => e.jobId === done.id);
      expect(entry).toMatchObject({ kind: 'refusal', dataset: 'customers', stage: 'query' });
      expect(entry!.reason).toMatch(refusedFor('customer_id', 'filter'));
      // Nothing was released: no use, no charge for this job.
      expect(node.ledger.uses().filter((u) => u.jobId === done.id)).toEqual([]);
      // Refused by the owner's query rules before the charge: the budget is untouched.
      expect(node.ledger.charges('customers').filter((c) => c.jobId === done.id)).toEqual([]);
    }
  }, 60_000);

  it('a GROUP BY on the customer key with DP is refused the same way', async () => {
    const done = await dpQuery('SELECT customer_id, COUNT(*) FROM customers GROUP BY customer_id', {
      domains: { customer_id: ['m1-000001', 'm1-000002', 'm2-000001'] },
    });
    expect(done.status).toBe('failed');
    expect(reasonsOf(done)).toMatch(refusedFor('customer_id', 'group key'));
    for (const node of nodes)
      expect(node.ledger.auditLog().find((e) => e.jobId === done.id)?.reason).toMatch(
        refusedFor('customer_id', 'group key'),
      );
  }, 60_000);

  it("an aggregate over ordinary columns with DP is answered, and charged to each node's budget", async () => {
    const done = await dpQuery('SELECT region, COUNT(*), AVG(monetary_total) FROM customers GROUP BY region', {
      domains: { region: ['north', 'south', 'east', 'west', 'central'] },
    });
    expect(done.status, done.error).toBe('completed');
    expect(done.refusals).toEqual([]);
    for (const node of nodes) expect(node.ledger.charges('customers').length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
