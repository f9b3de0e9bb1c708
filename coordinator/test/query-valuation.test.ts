// A query with `valuation: records`: each member's row counts per group travel in the query's own secure sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { parseQuerySpec, valuationPlan } from '@tessera/jobs';
import type { JobValuation } from '@tessera/payouts';
import { LocalFederation, runQuery } from '@tessera/sdk';
import { decodeValuation } from '../src/jobs/kinds/query/query-valuation.js';
import { tempDir } from './helpers.js';

const REGIONS = ['north', 'south', 'east'];
/** Rows per region of each merchant: different per member, so a swapped slot would show. */
const COUNTS = [
  [30, 12, 0],
  [8, 25, 40],
  [50, 3, 17],
];

function shard(m: number): RawTable {
  const rows: string[][] = [];
  COUNTS[m]!.forEach((n, g) => {
    for (let i = 0; i < n; i++) rows.push([`m${m}-${rows.length}`, REGIONS[g]!, String(10 + ((i * 7) % 90))]);
  });
  return { source: `merchant-${m}.csv`, columns: ['customer_id', 'region', 'spend'], rows, lineOf: (i) => i + 2 };
}

const query = {
  sql: 'SELECT region, COUNT(*) AS n, SUM(spend) AS spend FROM customers GROUP BY region',
  bounds: { spend: [0, 100] as [number, number] },
  domains: { region: REGIONS },
  minParticipants: 3,
  roundTimeoutSeconds: 30,
  waitForParticipantsSeconds: 30,
  valuation: 'records' as const,
};

describe('query valuation through the secure sum (3 merchants, open nodes)', () => {
  const tmp = tempDir('tessera-query-valuation-');
  let fed: LocalFederation;
  const truth = new Map<string, number[]>();
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards: [0, 1, 2].map(shard), runtime: 'inline' });
    for (const [m, p] of fed.participants.entries()) truth.set(p.id, COUNTS[m]!);
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  const contextOf = async (id: string) =>
    JSON.parse((await fed.coordinator!.store.getJob(id))!.contextJson) as {
      valuation?: JobValuation;
      contributors?: string[];
    };

  it('exact: every member gets its exact row count per group, and the report is unchanged', async () => {
    const { job, result } = await runQuery(fed.analyst, { ...query, privacy: { mode: 'none' } });
    const n = result.rows.map((r) => [r.region, r.n]);
    expect(n).toEqual([
      ['north', 88],
      ['south', 40],
      ['east', 57],
    ]);
    expect(result.valuation).toBeDefined();
    expect(result.valuation!.method).toBe('records');
    expect(result.valuation!.noiseStd).toBe(0);
    expect(result.valuation!.note).toBe('exact');
    const values = Object.fromEntries(result.valuation!.members.map((x) => [x.participant, x.value]));
    expect(values).toEqual(Object.fromEntries([...truth].map(([id, c]) => [id, c.reduce((a, b) => a + b, 0)])));
    const context = await contextOf(job.id);
    expect(new Set(context.contributors)).toEqual(new Set(truth.keys()));
    const v = context.valuation!;
    expect(v.groups).toEqual(REGIONS);
    expect(v.epsilon).toBe(0);
    expect(v.delta).toBeNull();
    for (const member of v.members) expect(member.groups).toEqual(truth.get(member.participant));
  });

  it('distributed DP: the counts lie within 4 noiseStd of the truth and the report still decodes', async () => {
    const { job, result } = await runQuery(fed.analyst, {
      ...query,
      privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6 },
    });
    expect(result.privacy.mode).toBe('distributed');
    const v = (await contextOf(job.id)).valuation!;
    expect(v.note).toBe('released jointly with the query at epsilon 2');
    expect(v.epsilon).toBe(0);
    expect(v.delta).toBe(1e-6);
    expect(v.noiseStd).toBeGreaterThan(0);
    // The value's noise is sqrt(G) x a count's: 3 groups.
    const countStd = v.noiseStd / Math.sqrt(3);
    expect(v.members).toHaveLength(3);
    for (const member of v.members) {
      const want = truth.get(member.participant)!;
      member.groups!.forEach((c, g) => expect(Math.abs(c - want[g]!)).toBeLessThan(4 * countStd));
      expect(Math.abs(member.value - want.reduce((a, b) => a + b, 0))).toBeLessThan(4 * v.noiseStd);
    }
    expect(result.valuation!.members.map((x) => x.value)).toEqual(v.members.map((x) => x.value));
    // The report: each region's noisy count within 4 of its own stddev of the pooled truth.
    const pooled = { north: 88, south: 40, east: 57 } as Record<string, number>;
    for (const row of result.rows) {
      expect(Math.abs((row.n as number) - pooled[row.region as string]!)).toBeLessThan(4 * row.stddev.n!);
      // The count coordinates share the noise of the report's (scale 1 both).
      expect(row.stddev.n).toBeCloseTo(countStd, 6);
    }
  });
});

describe('decodeValuation', () => {
  it('reads member-major slots and leaves a dropped member out, whatever its slots hold', () => {
    const { plan } = parseQuerySpec({ kind: 'query', ...query, privacy: { mode: 'none' } });
    const v = valuationPlan(plan, 3);
    const values = new Float64Array(v.length);
    const counts = [
      [1, 2, 3],
      [99, 99, 99],
      [7, 0, 5],
    ];
    counts.forEach((c, m) => values.set(c, v.countOffset + m * 3));
    const out = decodeValuation(v, values, 0, ['a', 'b', 'c'], ['c', 'a'], { mode: 'none', epsilon: 1, delta: 1e-6 });
    expect(out.members).toEqual([
      { participant: 'a', value: 6, groups: [1, 2, 3] },
      { participant: 'c', value: 12, groups: [7, 0, 5] },
    ]);
    expect(out.groups).toEqual(REGIONS);
  });
});
