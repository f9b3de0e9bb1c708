import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateCommerce, type RawTable } from '@tessera/data';
import { Coordinator } from '@tessera/coordinator';
import { LocalFederation, runQuery } from '../src/index.js';
import { startPostgres, type PostgresCluster } from '../../../coordinator/test/pg/pg-cluster.js';
import { tempDir } from './helpers.js';

/** Each merchant's customers: a non-IID split by merchant. */
function byMerchant(table: RawTable): RawTable[] {
  const m = table.columns.indexOf('merchant');
  const names = [...new Set(table.rows.map((r) => r[m]))];
  return names.map((name) => ({ ...table, rows: table.rows.filter((r) => r[m] === name) }));
}

const REGIONS = ['north', 'south', 'east', 'west', 'central'];
const QUERY = {
  sql: 'SELECT region, COUNT(*), SUM(returns) AS returns, AVG(monetary_total) FROM customers GROUP BY region',
  bounds: { returns: [0, 50] as [number, number], monetary_total: [0, 20000] as [number, number] },
  domains: { region: REGIONS },
  minParticipants: 6,
  privacy: { mode: 'none' as const },
};

describe('coordinator replicas on one PostgreSQL database (in one process)', () => {
  const tmp = tempDir();
  const table = generateCommerce({ merchants: 6, customersPerMerchant: [120, 90, 150, 60, 110, 80], seed: 'replicas' });
  const shards = byMerchant(table);
  let pg: PostgresCluster;
  const replicas: Coordinator[] = [];
  const logs: string[][] = [[], [], []];
  let fed: LocalFederation;

  beforeAll(async () => {
    pg = await startPostgres();
    const store = await pg.createDatabase();
    const dataDir = join(tmp.dir, 'coordinator');
    // The first replica creates the TLS keys and the ledger key; the others share that data directory's keys.
    for (const i of [0, 1, 2])
      replicas.push(
        await Coordinator.start({
          dataDir,
          listen: '127.0.0.1:0',
          store,
          leaseSeconds: 3,
          log: (l) => logs[i]!.push(l),
        }),
      );
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards,
      runtime: 'inline',
      coordinator: { address: replicas[0]!.address, dataDir },
      participantAddress: (i) => replicas[i % 3]!.address,
    });
  }, 120_000);
  afterAll(async () => {
    await fed?.stop();
    for (const r of replicas) await r.stop().catch(() => undefined);
    await pg?.stop();
    tmp.cleanup();
  });

  it('a secure sum over participants spread across three replicas is bit-exact, through partial sums', async () => {
    const { result, job } = await runQuery(fed.analyst, QUERY);
    expect(job.status, job.error).toBe('completed');
    // The same query on one coordinator (SQLite) over the same shards.
    const alone = tempDir();
    const single = await LocalFederation.start({ dir: alone.dir, shards, runtime: 'inline' });
    try {
      const one = await runQuery(single.analyst, QUERY);
      expect(one.job.status).toBe('completed');
      expect(result.rows).toEqual(one.result.rows);
    } finally {
      await single.stop();
      alone.cleanup();
    }
    // The replica that drove the query received one partial sum from each of the other two (2 participants each).
    const sent = logs.flat().filter((l) => /partial sum of 2 masked input\(s\) for job/.test(l));
    expect(sent.length).toBeGreaterThanOrEqual(2);
  });

  it('trains a masked model with every participant in every round, whichever replica drives the job', async () => {
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'repurchase',
      features: ['recency_days', 'frequency_orders', 'monetary_total', 'avg_basket', 'returns'],
      rounds: 2,
      minParticipants: 6,
      seed: 3,
    });
    const final = await fed.analyst.watch(job.id);
    expect(final.status, final.error).toBe('completed');
    const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
    expect(fits).toHaveLength(2);
    expect(fits.every((f) => f.contributors === 6)).toBe(true);
    // Exactly one replica took the job's lease and ran it.
    const drivers = logs.filter((l) => l.some((line) => line.includes(`job ${job.id}: lease taken`)));
    expect(drivers).toHaveLength(1);
  });
});
