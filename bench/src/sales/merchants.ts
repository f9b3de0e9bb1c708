// The sales part's federations: synthetic merchants (generateCommerce, one shard per merchant, as the sales demo
// makes them) in a LocalFederation of open nodes (no consent policy: every use and every sale allowed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuery } from '@tessera/analytics';
import { generateCommerce, parseSplit, selectRows, splitRows, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation } from '@tessera/sdk';

/**
 * The demo's market-insight report, as packages/cli/src/demo/run-query-demo.ts MARKET_INSIGHT has it (the CLI's
 * package exports do not include it): the queries, their titles and the declared bounds.
 */
export const MARKET_INSIGHT = {
  queries: [
    'SELECT region, favourite_category, COUNT(*) AS customers FROM customers GROUP BY region, favourite_category',
    'SELECT HISTOGRAM(avg_basket), QUANTILES(avg_basket) FROM customers',
    'SELECT region, repurchase, COUNT(*) AS customers FROM customers GROUP BY region, repurchase',
  ],
  titles: ['Category share by region', 'Basket size distribution', 'Repurchase by region'],
  bounds: { avg_basket: [0, 400] as [number, number] },
};

export interface Merchants {
  shards: RawTable[];
  /** Every GROUP BY column's values in the whole table (the domains the analyst declares). */
  domains: Record<string, string[]>;
}

/** `participants` merchants of `customers` customers each, split by merchant, and the domains of `queries`. */
export function merchantsData(participants: number, customers: number, seed: number, queries: readonly string[]) {
  const table = generateCommerce({ merchants: participants, customersPerMerchant: customers, seed });
  const all = Uint32Array.from({ length: table.rows.length }, (_, i) => i);
  const assignment = splitRows(
    table,
    all,
    new Float64Array(table.rows.length),
    participants,
    parseSplit('by:merchant'),
    seededRandom(`tessera-query-demo/${seed}`),
  );
  const domains: Record<string, string[]> = {};
  for (const sql of queries)
    for (const column of parseQuery(sql).groupBy) {
      const c = table.columns.indexOf(column);
      if (c >= 0) domains[column] = [...new Set(table.rows.map((r) => r[c]!))].sort();
    }
  return { shards: assignment.map((rows) => selectRows(table, rows)), domains } satisfies Merchants;
}

/** Runs `body` on a federation of the shards (worker threads), stopped and removed afterwards. */
export async function withFederation<T>(
  shards: readonly RawTable[],
  body: (fed: LocalFederation, startSeconds: number) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-sales-'));
  const t = performance.now();
  const fed = await LocalFederation.start({ dir, shards, dataset: 'customers', runtime: 'worker' });
  try {
    return await body(fed, (performance.now() - t) / 1000);
  } finally {
    await fed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
