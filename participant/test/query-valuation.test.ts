// A query's valuation counts at the node: only what the signed spec asks, only under a valuation grant, audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type RawTable } from '@tessera/data';
import { Coordinator } from '@tessera/coordinator';
import { MAX_VALUATION_SLOTS, parseQuerySpec, valuationPlan } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { type AnalystClient, runQuery } from '@tessera/sdk';
import { connectAnalystTo, enrolIdentity } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { queryNoise } from '../../coordinator/src/jobs/kinds/query/query-runner.js';
import { parseConsentPolicy, ParticipantNode } from '../src/index.js';
import { LocalData } from '../src/local-data.js';
import { runQueryLocally } from '../src/query-compute.js';
import { checkValuationSlots } from '../src/query-valuation.js';
import { noiseFloorOf } from '../src/privacy/noise-floor.js';
import { ownPlanOf } from '../src/privacy/own-plan.js';
import { PrivacyRefusal, taskSpecOf } from '../src/privacy/task-spec.js';

const pb = tessera.v1;
const SEGMENTS = ['a', 'b', 'rare'];
/** Rows per segment of merchant m: a and b above the default minimum group size (20), "rare" below it. */
const COUNTS = [
  [40, 30, 3],
  [25, 22, 4],
  [33, 21, 2],
];

function customers(m: number): RawTable {
  const rows: string[][] = [];
  COUNTS[m]!.forEach((n, g) => {
    for (let i = 0; i < n; i++)
      rows.push([`m${m}-${String(rows.length).padStart(6, '0')}`, SEGMENTS[g]!, (10 + i).toFixed(2)]);
  });
  return {
    source: `m${m}.csv`,
    columns: ['customer_id', 'segment', 'monetary_total'],
    rows,
    lineOf: (i) => i + 2,
  };
}

const spec = (extra: object = {}) => ({
  kind: 'query',
  sql: 'SELECT segment, COUNT(*), SUM(monetary_total) AS spend FROM customers GROUP BY segment',
  bounds: { monetary_total: [0, 1000] },
  domains: { segment: SEGMENTS },
  ...extra,
});

describe('the valuation slots a node accepts', () => {
  const task = (specJson: object | undefined, slots: string[]): tessera.v1.ITask => ({
    dataset: 'customers',
    ...(specJson ? { specJson: JSON.stringify(specJson) } : {}),
    query: { valuationSlots: slots },
  });
  const refusal = (t: tessera.v1.ITask): Error => {
    try {
      checkValuationSlots(t, 'me');
    } catch (e) {
      expect(e).toBeInstanceOf(PrivacyRefusal);
      return e as Error;
    }
    throw new Error('expected a PrivacyRefusal');
  };

  it('accepts its own id once among distinct members when the spec asks for records; no slots always pass', () => {
    expect(() => checkValuationSlots(task(spec({ valuation: 'records' }), ['p1', 'me', 'p2']), 'me')).not.toThrow();
    expect(() => checkValuationSlots(task(spec(), []), 'me')).not.toThrow();
  });

  it('refuses slots the spec did not sign for, or with no spec at all', () => {
    expect(refusal(task(spec(), ['p1', 'me'])).message).toMatch(/does not ask for them \(valuation: records\)/);
    expect(refusal(task(undefined, ['p1', 'me'])).message).toMatch(/did not sign for/);
  });

  it('refuses slots without its own id, with duplicates, or over the cap', () => {
    const signed = spec({ valuation: 'records' });
    expect(refusal(task(signed, ['p1', 'p2'])).message).toMatch(/do not name this node \(me\)/);
    expect(refusal(task(signed, ['p1', 'me', 'p1'])).message).toMatch(/name member "p1" twice/);
    expect(refusal(task(signed, ['me', 'p1', 'me'])).message).toMatch(/name member "me" twice/);
    const many = ['me', ...Array.from({ length: MAX_VALUATION_SLOTS }, (_, i) => `p${i}`)];
    expect(refusal(task(signed, many)).message).toMatch(/more than the 10000/);
  });
});

describe('the noise a node adds for a query with valuation', () => {
  it('is recomputed for the joint plan: the report-only noise is refused, the joint one accepted', () => {
    const privacy = { mode: 'distributed' as const, epsilon: 1, delta: 1e-6 };
    const s = spec({ privacy, valuation: 'records' });
    const { plan } = parseQuerySpec(s);
    const ids = ['me', 'p1', 'p2', 'p3', 'p4'];
    const alone = queryNoise(plan, privacy, ids.length)!;
    const joint = queryNoise(valuationPlan(plan, ids.length), privacy, ids.length)!;
    expect(joint.shareVariance).toBeGreaterThan(alone.shareVariance);
    const task = (noiseVariance: number, level: number): tessera.v1.ITask => ({
      dataset: 'customers',
      specJson: JSON.stringify(s),
      query: { dpLevel: level, valuationSlots: ids },
      secure: { participantIds: ids, computation: pb.Stage.QUERY, noiseVariance, threshold: 3 },
    });
    const parsed = taskSpecOf(task(0, 1))!;
    const own = ownPlanOf(parsed)!;
    expect(() => noiseFloorOf(task(Math.ceil(alone.shareVariance), alone.level), own, parsed)).toThrow(PrivacyRefusal);
    const floor = noiseFloorOf(task(Math.ceil(joint.shareVariance), joint.level), own, parsed);
    expect(floor.shareVariance).toBeCloseTo(joint.shareVariance, 3);
  });
});

describe('runQueryLocally with valuation slots', () => {
  const tmp = tempDir('tessera-query-valuation-local-');
  const path = join(tmp.dir, 'm0.csv');
  writeFileSync(path, toCsv(customers(0)));
  const data = new LocalData({ customers: { type: 'csv', path, exclude: [] } });
  afterAll(async () => {
    await data.close();
    tmp.cleanup();
  });
  const slots = ['p1', 'me', 'p2'];

  it('exact: its rows per group in its slots (0 where minGroupSize zeroed the group), zeros elsewhere', async () => {
    const s = spec({ valuation: 'records' });
    const { plan } = parseQuerySpec(s);
    const t = {
      dataset: 'customers',
      specJson: JSON.stringify(s),
      query: { wideFractionBits: 24, maxRecords: 1_000_000, valuationSlots: slots },
    };
    const rules = { minGroupSize: 20, identifierColumns: [], allowIdentifierQueries: true };
    const v = (await runQueryLocally(data, t, rules, undefined, 'me')).vector!;
    expect(v.length).toBe(plan.length + 9);
    expect(Array.from(v.subarray(plan.length))).toEqual([0, 0, 0, 40, 30, 0, 0, 0, 0]);
    const open = (await runQueryLocally(data, t, undefined, undefined, 'me')).vector!;
    expect(Array.from(open.subarray(plan.length + 3, plan.length + 6))).toEqual([40, 30, 3]);
    await expect(runQueryLocally(data, t)).rejects.toThrow(/participant id/);
  });

  it('DP: the counts follow the normalised report at scale 1', async () => {
    const s = spec({ privacy: { mode: 'distributed', epsilon: 1 }, valuation: 'records' });
    const { plan } = parseQuerySpec(s);
    const t = {
      dataset: 'customers',
      specJson: JSON.stringify(s),
      query: { dpLevel: 4096, maxRecords: 1_000_000, valuationSlots: slots },
    };
    const r = await runQueryLocally(data, t, undefined, undefined, 'me');
    expect(r.level).toBe(4096);
    expect(Array.from(r.vector!.subarray(plan.length))).toEqual([0, 0, 0, 40, 30, 3, 0, 0, 0]);
    // The report's own coordinates are normalised: the first group's sum of spends over its bound 1000.
    expect(r.vector![1]).toBeCloseTo((40 * 10 + (39 * 40) / 2) / 1000, 9);
  });

  it('unit customer: the rows counted are those kept under the cap', async () => {
    const rows = [
      ...Array.from({ length: 10 }, () => ['whale', 'a', '50.00']),
      ...Array.from({ length: 5 }, (_, i) => [`c${i}`, 'b', '20.00']),
    ];
    const capped = join(tmp.dir, 'whale.csv');
    writeFileSync(capped, toCsv({ ...customers(0), rows }));
    const whale = new LocalData({ customers: { type: 'csv', path: capped, exclude: [] } });
    try {
      const s = spec({
        privacy: { mode: 'distributed', epsilon: 1, unit: 'customer', userColumn: 'customer_id', maxRowsPerUser: 2 },
        valuation: 'records',
      });
      const { plan } = parseQuerySpec(s);
      const t = {
        dataset: 'customers',
        specJson: JSON.stringify(s),
        query: { dpLevel: 4096, maxRecords: 1_000_000, valuationSlots: ['me', 'p1'] },
      };
      const r = await runQueryLocally(whale, t, undefined, undefined, 'me');
      expect(Array.from(r.vector!.subarray(plan.length))).toEqual([2, 5, 0, 0, 0, 0]);
    } finally {
      await whale.close();
    }
  });
});

describe('valuation grants through the services: three merchants, one without a valuation grant', () => {
  const tmp = tempDir('tessera-query-valuation-e2e-');
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const m of [0, 1, 2]) {
      const name = `merchant-${m + 1}`;
      const who = await enrolIdentity(coord, name);
      ids.push(who.id);
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv(customers(m)));
      const purposes = m === 2 ? ['query'] : ['query', 'valuation'];
      const policy = parseConsentPolicy(
        {
          datasets: { customers: { identifierColumns: ['customer_id'], allowWithoutPrivacy: true } },
          grants: [{ id: 'reports', analysts: ['*'], purposes, expires: '2099-01-01' }],
        },
        `${name}-policy.yaml`,
        { datasets: ['customers'], now: Date.now() },
      );
      const node = new ParticipantNode({
        config: {
          name,
          coordinator: coord.address,
          participantId: who.id,
          identityKey: '(in memory)',
          datasets: { customers: { type: 'csv', path, exclude: [] } },
        },
        identity: who.keys,
        security: who.clientSecurity,
        policy,
        minBackoffMs: 100,
        maxBackoffMs: 400,
      });
      const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
      node.start();
      await ready;
      nodes.push(node);
    }
  });
  afterAll(async () => {
    analyst?.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await coord?.stop();
    tmp.cleanup();
  });
  const common = {
    sql: spec().sql,
    bounds: { monetary_total: [0, 1000] as [number, number] },
    domains: { segment: SEGMENTS },
    privacy: { mode: 'none' as const },
    roundTimeoutSeconds: 20,
    waitForParticipantsSeconds: 20,
  };

  it('the node without a valuation grant refuses on consent, naming the grant; the others are valued', async () => {
    const { job, result } = await runQuery(analyst, { ...common, minParticipants: 2, valuation: 'records' });
    // Its owner's terms, in the job's refusals, naming the missing purpose.
    const refusal = job.refusals.find((r) => r.participantId === ids[2]);
    expect(refusal?.reason).toMatch(/purpose "valuation" \(job kind query\)/);
    expect(refusal?.reason).toMatch(/grant with purpose valuation/);
    // The two others: their exact counts of the groups of at least 20 rows (their owners' default minimum).
    const values = Object.fromEntries(result.valuation!.members.map((x) => [x.participant, x.value]));
    expect(values).toEqual({ [ids[0]!]: 70, [ids[1]!]: 47 });
    const context = JSON.parse((await coord.store.getJob(job.id))!.contextJson) as { contributors: string[] };
    expect(new Set(context.contributors)).toEqual(new Set([ids[0], ids[1]]));
    // Each valued node's audit entry of the query says the counts went with it; the refusing node's says why not.
    for (const node of nodes.slice(0, 2)) {
      const use = node.ledger.auditLog().find((e) => e.jobId === job.id && e.kind === 'use');
      expect(use?.reason).toMatch(/valuation counts included/);
    }
    const refused = nodes[2]!.ledger.auditLog().find((e) => e.jobId === job.id);
    expect(refused?.kind).toBe('refusal');
    expect(refused?.reason).toMatch(/valuation/);
  });

  it('the same query without valuation is served by all three, and audited without the note', async () => {
    const { job, result } = await runQuery(analyst, { ...common, minParticipants: 3 });
    expect(result.valuation).toBeUndefined();
    expect(result.rows.map((r) => r.segment)).toEqual(['a', 'b']);
    const context = JSON.parse((await coord.store.getJob(job.id))!.contextJson) as { contributors: string[] };
    expect(new Set(context.contributors)).toEqual(new Set(ids));
    for (const node of nodes) {
      const use = node.ledger.auditLog().find((e) => e.jobId === job.id && e.kind === 'use');
      expect(use?.reason).toBe('');
    }
  });
});
