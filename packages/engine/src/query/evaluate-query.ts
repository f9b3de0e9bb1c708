import type { QueryPlan } from '@tessera/analytics';
import type { Random } from '@tessera/crypto';
import type { LocalEngine } from '../engine.js';
import { aggregateSql } from './aggregate-sql.js';
import { planColumns } from './column-refs.js';
import { sampleCustomers } from './customer-sample.js';
import { queryFrame } from './query-frame.js';
import { SqlParams } from './sql-values.js';
import { forEachRow } from './statement.js';
import { TempTables } from './temp-tables.js';
import { VectorFill } from './vector-fill.js';

/** A plan's local result from the engine, and what the customer unit's cap did. */
export interface QueryOutcome {
  /** evaluateLocally's vector on the (capped) data set. */
  vector: Float64Array;
  /** Rows of the data set. */
  rows: number;
  /** Rows that fed the vector (WHERE passed, group values declared, and, for unit customer, kept by the cap). */
  contributing: number;
  /** Customers with more contributing rows than maxRowsPerUser (a sample of the cap's size was kept). */
  cappedCustomers: number;
  /** Contributing rows whose customer key is missing (left out). */
  unkeyedRows: number;
}

/**
 * One evaluation at a time per engine. Each runs on a connection of its own (engine.connect): a statement on a
 * connection ends that connection's open streamed result silently, so sharing the engine's would cut short a
 * concurrent training stream or this evaluation's own result.
 */
const queues = new WeakMap<LocalEngine, Promise<unknown>>();

/**
 * The plan's vector computed by DuckDB on data set `dataset`: equal to
 * evaluateLocally(plan, capRowsPerUser(plan, table, rng).table) of packages/analytics on the same rows (counts and
 * integer sums exactly; other sums are exact fixed-point sums of the clamped terms, see fixed-point.ts). Every column
 * is checked against the data set's schema and quoted before any SQL is built; every WHERE literal is a bound
 * parameter; declared lists travel in temporary tables. One scan computes all slots and sections; unit customer adds
 * a counting scan and, when some customer is over the cap, a scan of those customers' rows.
 */
export function evaluateQuery(
  engine: LocalEngine,
  dataset: string,
  plan: QueryPlan,
  rng: Random,
): Promise<QueryOutcome> {
  const before = queues.get(engine) ?? Promise.resolve();
  const run = before.catch(() => {}).then(() => evaluate(engine, dataset, plan, rng));
  queues.set(engine, run);
  return run;
}

async function evaluate(engine: LocalEngine, dataset: string, plan: QueryPlan, rng: Random): Promise<QueryOutcome> {
  const checked = planColumns(engine, dataset, plan);
  const { source, rows } = engine.describe(dataset);
  const relation = engine.relation(dataset);
  const conn = await engine.connect();
  const temp = new TempTables(conn);
  try {
    let params = new SqlParams();
    let frame = await queryFrame(plan, relation, checked, params, temp);
    let filters: string[] = [];
    let joins: string[] = [];
    let cappedCustomers = 0;
    let unkeyedRows = 0;
    if (plan.unit.unit === 'customer') {
      const positional = async () => {
        const p = new SqlParams();
        return { frame: await queryFrame(plan, relation, checked, p, temp, true), params: p };
      };
      const sample = await sampleCustomers(conn, plan.unit, frame, params, positional, temp, rng, source);
      ({ filters, joins, cappedCustomers, unkeyedRows, frame, params } = sample);
    }
    const { sql, layout } = await aggregateSql(plan, frame, temp, filters, joins);
    const fill = new VectorFill(plan, layout);
    await forEachRow(conn, sql, params, source, (row) => fill.add(row));
    const vector = fill.finish();
    return { vector, rows, contributing: fill.contributing, cappedCustomers, unkeyedRows };
  } finally {
    await temp.dropAll();
    conn.closeSync();
  }
}
