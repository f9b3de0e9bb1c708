import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuery, planQuery, runPooled } from '@tessera/analytics';
import { toCsv, type RawTable } from '@tessera/data';
import { Coordinator } from '@tessera/coordinator';
import { type AnalystClient, runQuery } from '@tessera/sdk';
import { connectAnalystTo, enrolIdentity } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { parseConsentPolicy, ParticipantNode } from '../src/index.js';

const SEGMENTS = ['a', 'b', 'rare'];

/** A merchant's customers: 40 in segment a, 30 in b, 3 in "rare"; unique ids, spends 10..(10 + 73). */
function customers(merchant: number): RawTable {
  const rows: string[][] = [];
  const add = (segment: string, n: number) => {
    for (let i = 0; i < n; i++)
      rows.push([
        `m${merchant}-${String(rows.length + 1).padStart(6, '0')}`,
        segment,
        (10 + rows.length + merchant / 10).toFixed(2),
      ]);
  };
  add('a', 40);
  add('b', 30);
  add('rare', 3);
  return {
    source: `m${merchant}.csv`,
    columns: ['customer_id', 'segment', 'monetary_total'],
    rows,
    lineOf: (i) => i + 2,
  };
}

describe('the query guard through the services: a coordinator and three participants with policies', () => {
  const tmp = tempDir('tessera-query-guard-e2e-');
  let coord: Coordinator;
  let analyst: AnalystClient;
  const nodes: ParticipantNode[] = [];
  const shards = [1, 2, 3].map(customers);

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = await connectAnalystTo(coord);
    for (const [i, shard] of shards.entries()) {
      const name = `merchant-${i + 1}`;
      const who = await enrolIdentity(coord, name);
      const path = join(tmp.dir, `${name}.csv`);
      writeFileSync(path, toCsv(shard));
      // The owner serves queries without DP on this data set, with the default minimum group size (20) and its customer
      // key listed.
      const policy = parseConsentPolicy(
        {
          datasets: { customers: { identifierColumns: ['customer_id'], allowWithoutPrivacy: true } },
          grants: [{ id: 'queries', analysts: ['*'], purposes: ['query'], expires: '2099-01-01' }],
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
  const common = { minParticipants: 3, roundTimeoutSeconds: 20, waitForParticipantsSeconds: 20 };

  it("refuses the issue's single-customer query at each participant, naming the column but no row counts", async () => {
    const sql = "SELECT COUNT(*), SUM(monetary_total) FROM customers WHERE customer_id = 'm1-000002'";
    const err = await runQuery(analyst, {
      sql,
      bounds: { monetary_total: [0, 1000] },
      privacy: { mode: 'none' },
      ...common,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/column "customer_id" as a filter/);
    expect((err as Error).message).toMatch(/datasets\.customers\.allowIdentifierQueries: true/);
    expect((err as Error).message).not.toMatch(/\b73\b/);
    const job = (await analyst.list()).find((j) => j.status === 'failed');
    expect(job).toBeDefined();
  });

  it('refuses a GROUP BY on the customer key, with DP too', async () => {
    const err = await runQuery(analyst, {
      sql: 'SELECT customer_id, COUNT(*) FROM customers GROUP BY customer_id',
      domains: { customer_id: ['m1-000001', 'm2-000001'] },
      privacy: { mode: 'distributed', epsilon: 2, delta: 1e-6 },
      ...common,
    }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/column "customer_id" as a group key/);
  });

  it('without DP, a group under the minimum size at every participant is dropped; the others are exact', async () => {
    const sql = 'SELECT segment, COUNT(*), SUM(monetary_total) AS spend FROM customers GROUP BY segment';
    const { result } = await runQuery(analyst, {
      sql,
      bounds: { monetary_total: [0, 1000] },
      domains: { segment: SEGMENTS },
      privacy: { mode: 'none' },
      ...common,
    });
    const pooled = runPooled(
      planQuery(parseQuery(sql), {
        bounds: { monetary_total: [0, 1000] },
        domains: { segment: SEGMENTS },
        minCount: 0,
      }),
      shards,
    );
    expect(pooled.rows.map((r) => r.segment)).toEqual(['a', 'b', 'rare']);
    expect(result.rows.map((r) => r.segment)).toEqual(['a', 'b']);
    for (const [i, row] of result.rows.entries()) {
      expect(row['COUNT(*)']).toBe(pooled.rows[i]['COUNT(*)']);
      expect(Math.abs((row.spend as number) - (pooled.rows[i].spend as number))).toBeLessThan(1e-6);
    }
  });
});
