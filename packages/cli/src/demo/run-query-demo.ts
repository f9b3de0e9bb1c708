import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parseQuery } from '@tessera/analytics';
import { generateCommerce, parseSplit, readCsvFile, selectRows, splitRows, type RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation, runQuery, type QueryJobResult } from '@tessera/sdk';
import { UsageError } from '../ui/errors.js';

export interface QueryDemoOptions {
  /** One query, or several on the same federation (each charged separately). */
  queries: string[];
  participants: number;
  seed: number;
  data?: string;
  split?: string;
  bounds: Record<string, [number, number]>;
  domains: Record<string, string[]>;
  dp: 'none' | 'distributed' | 'central' | 'local';
  epsilon: number;
  delta: number;
  minCount?: number;
  runtime: 'worker' | 'inline';
  log?: (line: string) => void;
}

export type QueryDemoResult = QueryJobResult & {
  participants: number;
  data: string;
  split: string;
  jobId: string;
  timing: { totalSeconds: number };
};

/**
 * Runs one query on a demo federation. The data set is named after the CSV (`--data sales.csv` is
 * `FROM sales`; the synthetic merchants are `FROM customers`). The demo owns its CSV, so a GROUP BY
 * column without --domain gets the CSV's values as its declared domain (a real analyst declares it).
 */
export async function runQueryDemo(o: QueryDemoOptions): Promise<QueryDemoResult[]> {
  const started = performance.now();
  if (!Number.isInteger(o.participants) || o.participants < 2)
    throw new UsageError(`--participants must be an integer of at least 2, got ${o.participants}`);
  const table: RawTable = o.data
    ? readCsvFile(o.data)
    : generateCommerce({ merchants: o.participants, customersPerMerchant: 600, seed: o.seed });
  const dataset = o.data ? basename(o.data, extname(o.data)).replace(/[^A-Za-z0-9_-]/g, '_') : 'customers';
  const splitText = o.split ?? (o.data ? 'iid' : 'by:merchant');
  let split;
  try {
    split = parseSplit(splitText);
  } catch (e) {
    throw new UsageError(`--split: ${(e as Error).message}`);
  }
  const all = Uint32Array.from({ length: table.rows.length }, (_, i) => i);
  const assignment = splitRows(
    table,
    all,
    new Float64Array(table.rows.length),
    o.participants,
    split,
    seededRandom(`tessera-query-demo/${o.seed}`),
  );
  const shards = assignment.map((rows) => selectRows(table, rows));
  const domains = { ...o.domains };
  for (const query of o.queries) {
    let groupBy: string[] = [];
    try {
      groupBy = parseQuery(query).groupBy;
    } catch {
      // the coordinator names the SQL problem
    }
    for (const column of groupBy) {
      const c = table.columns.indexOf(column);
      // Every row has a cell per column (readCsvFile checks; the generator makes them so).
      if (!domains[column] && c >= 0) domains[column] = [...new Set(table.rows.map((r) => r[c]!))].sort();
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-query-demo-'));
  const fed = await LocalFederation.start({
    dir,
    shards,
    dataset,
    runtime: o.runtime,
    ...(o.log ? { log: o.log } : {}),
  });
  try {
    const out: QueryDemoResult[] = [];
    for (const sql of o.queries) {
      const { job, result } = await runQuery(fed.analyst, {
        sql,
        bounds: o.bounds,
        domains,
        minParticipants: o.participants,
        roundTimeoutSeconds: 60,
        waitForParticipantsSeconds: 60,
        privacy: o.dp === 'none' ? { mode: 'none' } : { mode: o.dp, epsilon: o.epsilon, delta: o.delta },
        ...(o.minCount !== undefined ? { minCount: o.minCount } : {}),
      });
      out.push({
        ...result,
        participants: o.participants,
        data: o.data ? basename(o.data) : 'synthetic customers',
        split: splitText,
        jobId: job.id,
        timing: { totalSeconds: (performance.now() - started) / 1000 },
      });
    }
    return out;
  } finally {
    await fed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The market-insight queries the demo's synthetic merchants get a report of. */
export const MARKET_INSIGHT = {
  queries: [
    'SELECT region, favourite_category, COUNT(*) AS customers FROM customers GROUP BY region, favourite_category',
    'SELECT HISTOGRAM(avg_basket), QUANTILES(avg_basket) FROM customers',
    'SELECT region, repurchase, COUNT(*) AS customers FROM customers GROUP BY region, repurchase',
  ],
  titles: ['Category share by region', 'Basket size distribution', 'Repurchase by region'],
  bounds: { avg_basket: [0, 400] as [number, number] },
};
