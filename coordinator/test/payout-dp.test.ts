import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { epsilonOfRdp } from '@tessera/fl';
import { ParticipantNode, type ParticipantConfig } from '@tessera/participant';
import { parseLedgerLine, verifyEntry, verifyLedger } from '@tessera/payouts';
import type { AnalystClient, JobView } from '@tessera/sdk';
import { Coordinator } from '../src/index.js';
import type { JobContext } from '../src/jobs/job-context.js';
import { BREAST_CANCER, connectAnalystTo, enrolIdentity, shards, type Identity } from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const DATASET = 'patients';
const BUDGET = { epsilon: 20, delta: 1e-5, unit: 'record' as const };
/** The owners' terms: training, and the `valuation` purpose that a payout's noisy row counts need. */
const OPT_IN =
  `datasets:\n  ${DATASET}: { allowWithoutPrivacy: true }\n` +
  'grants:\n  - id: train-and-valuation\n    analysts: ["*"]\n' +
  '    purposes: [train, valuation]\n    expires: 2099-12-31\n';
/** Training only: the node trains, and refuses to release its row count for a payout. */
const TRAIN_ONLY =
  `datasets:\n  ${DATASET}: { allowWithoutPrivacy: true }\n` +
  'grants:\n  - id: train-only\n    analysts: ["*"]\n    purposes: [train]\n    expires: 2099-12-31\n';

describe('a record-level DP training job pays by noisy row counts (valuation records)', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const identities = new Map<string, Identity>();
  const parts = shards(BREAST_CANCER, 3);
  const rowsOf = (t: RawTable) => t.rows.length;

  const configOf = (name: string, shard: RawTable, policy: string, budget = true): ParticipantConfig => {
    const path = join(tmp.dir, `${name}.csv`);
    writeFileSync(path, toCsv(shard));
    const policyPath = join(tmp.dir, `${name}-policy.yaml`);
    writeFileSync(policyPath, policy);
    return {
      name,
      coordinator: coord.address,
      participantId: identities.get(name)!.id,
      identityKey: '(in memory)',
      datasets: { [DATASET]: { type: 'csv', path, exclude: [], ...(budget ? { budget: BUDGET } : {}) } },
      ledger: join(tmp.dir, `${name}-${Date.now()}-ledger.sqlite`),
      policy: policyPath,
    };
  };
  const start = async (config: ParticipantConfig) => {
    const who = identities.get(config.name)!;
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
    return node;
  };
  const job = (payout: object, mode = 'distributed') => ({
    dataset: DATASET,
    label: 'benign',
    rounds: 2,
    minParticipants: 3,
    seed: 'payout-dp',
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 10,
    local: { learningRate: 0.1 },
    privacy: { mode, unit: 'record', epsilon: 8, delta: 1e-5 },
    payout: { pool: 100_000, currency: 'CNY', valuation: 'records', ...payout },
  });
  const run = async (spec: object): Promise<JobView> => analyst.watch((await analyst.submit(spec)).id);
  const contextOf = async (id: string): Promise<JobContext> =>
    JSON.parse((await coord.store.getJob(id))!.contextJson) as JobContext;
  /**
   * Epsilon the node's charges on its data set add up to (their RDP curves composed, at the budget's delta), with and
   * without the job's `round`: the training's charges carry no (epsilon, delta) of their own, so RDP is the bound.
   */
  const spent = (n: ParticipantNode, jobId: string, round: number) => {
    const total = (charges: { rdp: number[] }[]) =>
      epsilonOfRdp(
        charges.reduce(
          (acc, c) => acc.map((v, i) => v + c.rdp[i]!),
          charges[0]!.rdp.map(() => 0),
        ),
        BUDGET.delta,
      );
    const charges = n.ledger.charges(DATASET);
    return { all: total(charges), without: total(charges.filter((c) => !(c.jobId === jobId && c.round === round))) };
  };

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const name of ['a', 'b', 'c']) identities.set(name, await enrolIdentity(coord, name));
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('completes at epsilon 8, releases the counts once at epsilon 0.5, pays the pool exactly into a ledger that ' +
    'verifies, and every member charges and audits the release', async () => {
    const started = [
      await start(configOf('a', parts[0]!, OPT_IN)),
      await start(configOf('b', parts[1]!, OPT_IN)),
      await start(configOf('c', parts[2]!, OPT_IN)),
    ];
    const done = await run(job({}));
    expect(done.status).toBe('completed');
    const p = done.payouts!;
    expect(p).toMatchObject({ status: 'paid', method: 'records', valuationEpsilon: 0.5, valuationDelta: 1e-5 });
    expect(p.entries).toHaveLength(3);
    expect(p.entries.reduce((s, e) => s + e.amount, 0)).toBe(100_000);
    // The job's privacy view shows the valuation's release beside the training's guarantee.
    expect(done.privacy).toMatchObject({ epsilon: 8, valuation: { method: 'records', epsilon: 0.5, released: true } });

    // The valuation kept for products: the noisy counts, near each node's rows (noise std about 7 rows a count).
    const context = await contextOf(done.id);
    const v = context.valuation!;
    expect(v).toMatchObject({ method: 'records', epsilon: 0.5, delta: 1e-5 });
    expect(v.noiseStd).toBeGreaterThan(3);
    expect(v.noiseStd).toBeLessThan(20);
    expect(v.note).toMatch(/epsilon 0\.5/);
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const m = v.members.find((x) => x.participant === identities.get(name)!.id)!;
      expect(Math.abs(m.value - rowsOf(parts[i]!))).toBeLessThan(8 * v.noiseStd);
      // The counts are integers plus integer noise: the decoded value is a whole number of rows.
      expect(Number.isInteger(m.value)).toBe(true);
    }
    // The split follows the counts.
    for (const e of p.entries) {
      const m = v.members.find((x) => x.participant === e.participant)!;
      expect(e.value).toBe(m.value);
    }

    const exported = await analyst.exportLedger(done.id);
    const key = Buffer.from(exported.coordinatorKey, 'hex');
    expect(verifyLedger(exported.lines.join('\n'), key, {})).toMatchObject({ ok: true, entries: 3 });
    const entries = exported.lines.map((l, i) => parseLedgerLine(l, i + 1));
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(100_000);
    expect(new Set(entries.map((e) => e.method))).toEqual(new Set(['records']));
    await expect
      .poll(() => started.filter((n) => n.ledger.receipts().length === 0).map((n) => n.id), { timeout: 5_000 })
      .toEqual([]);
    for (const n of started) expect(verifyEntry(parseLedgerLine(n.ledger.receipts()[0]!, 1), key)).toBe(true);

    // Each member: one charge of the release at (0.5, delta), an audit entry for it, and its budget spent rose by it.
    const round = 3; // the round after the job's two training rounds
    for (const n of started) {
      const charges = n.ledger.charges(DATASET).filter((c) => c.jobId === done.id && c.round === round);
      expect(charges).toHaveLength(1);
      expect(charges[0]!.approx).toEqual({ epsilon: 0.5, delta: 1e-5 });
      const audit = n.ledger.auditLog().filter((e) => e.jobId === done.id && e.stage === 'valuation-count');
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ kind: 'use', purpose: 'valuation', epsilon: 0.5, dataset: DATASET });
      const { all, without } = spent(n, done.id, round);
      // Composed with the training by RDP, the 0.5 release raises the spent epsilon by less than 0.5 (about 0.04).
      expect(all).toBeGreaterThan(without + 0.01);
      expect(all).toBeLessThanOrEqual(without + 0.5 + 1e-9);
    }
  }, 180_000);

  it('pays nothing when a member has no valuation grant: it trains, refuses the count, and the ledger stays empty ' +
    'for the job', async () => {
    const started = [
      await start(configOf('a', parts[0]!, OPT_IN)),
      await start(configOf('b', parts[1]!, OPT_IN)),
      await start(configOf('c', parts[2]!, TRAIN_ONLY)),
    ];
    const done = await run(job({ pool: 5_000 }));
    expect(done.status).toBe('completed');
    expect(done.payouts).toMatchObject({ status: 'refused', entries: [] });
    expect(done.payouts!.reason).toMatch(/valuation count not released: every contributor's count is needed/);
    expect(done.payouts!.reason).toContain(identities.get('c')!.id);
    expect((await analyst.exportLedger(done.id)).lines).toHaveLength(0);
    expect((await contextOf(done.id)).valuation).toBeUndefined();
    const c = started[2]!;
    const refusal = c.ledger.auditLog().find((e) => e.jobId === done.id && e.kind === 'refusal');
    expect(refusal).toMatchObject({ stage: 'valuation-count', purpose: 'valuation' });
    expect(refusal!.reason).toMatch(/valuation/);
    // Nothing was charged for the release it refused.
    expect(c.ledger.charges(DATASET).filter((x) => x.jobId === done.id && x.round === 3)).toHaveLength(0);
  }, 180_000);

  it('with a pool of 0 records the valuation for later sales and writes no ledger entry', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) await start(configOf(name, parts[i]!, OPT_IN));
    const done = await run(job({ pool: 0, epsilon: 1 }));
    expect(done.payouts).toMatchObject({ status: 'paid', pool: 0, valuationEpsilon: 1 });
    expect(done.payouts!.entries.every((e) => e.amount === 0)).toBe(true);
    expect((await analyst.exportLedger(done.id)).lines).toHaveLength(0);
    expect((await contextOf(done.id)).valuation).toMatchObject({ method: 'records', epsilon: 1 });
  }, 180_000);

  it('in central and local mode too: the coordinator adds the whole noise, or every node does', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) await start(configOf(name, parts[i]!, OPT_IN));
    for (const mode of ['central', 'local']) {
      const done = await run(job({ pool: 999 }, mode));
      expect(done.status).toBe('completed');
      expect(done.payouts).toMatchObject({ status: 'paid', method: 'records', valuationEpsilon: 0.5 });
      expect(done.payouts!.entries.reduce((s, e) => s + e.amount, 0)).toBe(999);
      const v = (await contextOf(done.id)).valuation!;
      // Central: one draw of z (about 7 rows); local: every node's whole draw, sqrt(3) times that.
      expect(v.noiseStd).toBeGreaterThan(mode === 'local' ? 10 : 5);
      expect(v.noiseStd).toBeLessThan(mode === 'local' ? 16 : 9);
      expect(v.note).toContain(`${mode} noise`);
    }
  }, 180_000);

  it('an exact job keeps its valuation: records from the disclosed updates, no validation rows; equal', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) await start(configOf(name, parts[i]!, OPT_IN, false));
    const exact = (payout: object) => {
      const { privacy: _p, ...rest } = job(payout);
      return rest;
    };
    const records = await run(exact({ pool: 1000 }));
    expect(records.payouts).toMatchObject({ status: 'paid', method: 'records' });
    expect(records.payouts!.valuationEpsilon).toBeUndefined();
    const v = (await contextOf(records.id)).valuation!;
    expect(v).toMatchObject({ method: 'records', epsilon: 0, delta: null, noiseStd: 0 });
    // records values are each member's share of the rows: exact, summing to 1.
    expect(v.members.reduce((s, m) => s + m.value, 0)).toBeCloseTo(1, 12);
    const equal = await run(exact({ pool: 1000, valuation: 'equal' }));
    expect(equal.payouts!.entries.map((e) => e.amount).sort()).toEqual([333, 333, 334]);
    expect((await contextOf(equal.id)).valuation).toMatchObject({ method: 'equal', epsilon: 0 });
    expect((await contextOf(equal.id)).valuation!.members.map((m) => m.value)).toEqual([1, 1, 1]);
  }, 180_000);
});
