import type { DuckDBConnection } from '@duckdb/node-api';
import type { CustomerUnit } from '@tessera/analytics';
import type { Random } from '@tessera/crypto';
import { missingSql } from '../sql/cell-sql.js';
import { CustomerDraw, KeyedPriority } from './customer-priority.js';
import { keySql, type QueryFrame } from './query-frame.js';
import { integerSql, type SqlParams } from './sql-values.js';
import { forEachRow } from './statement.js';
import type { TempTables } from './temp-tables.js';

/** What the customer unit adds to the final aggregation, and what capping did. */
export interface CustomerSample {
  /** Row conditions: the customer key is present. */
  filters: string[];
  /** Joins: the sampled-out rows of over-cap customers are excluded (an anti join on their positions). */
  joins: string[];
  cappedCustomers: number;
  unkeyedRows: number;
}

/**
 * customer-cap.ts capRowsPerUser in the engine. Contributing rows (those in `frame`: WHERE passed, group values in
 * their domains) whose customer key is missing are counted and dropped. One scan finds the customers with more
 * contributing rows than the cap; only their rows are read into JavaScript, customer by customer and in source order
 * within each (the positional frame: row_number() over the data set's own scan order). The k-th row of customer u
 * gets the priority HMAC-SHA256(key, u + "\0" + k) with key = rng.bytes(32) drawn once, and the cap's smallest
 * priorities are kept. The other rows' positions go back to DuckDB in a temporary table that the final aggregation
 * anti-joins. `positional` builds the frame with positions (only needed, and only built, when some customer is over
 * the cap).
 */
export async function sampleCustomers(
  conn: DuckDBConnection,
  unit: CustomerUnit,
  frame: QueryFrame,
  params: SqlParams,
  positional: () => Promise<{ frame: QueryFrame; params: SqlParams }>,
  temp: TempTables,
  rng: Random,
  source: string,
): Promise<CustomerSample & { frame: QueryFrame; params: SqlParams }> {
  const secret = rng.bytes(32);
  const keyCol = frame.columns.get(unit.userColumn)!;
  const missing = missingSql(keyCol.quoted, keyCol.type);
  const id = `CASE WHEN ${missing} THEN NULL ELSE ${keySql(keyCol)} END`;
  const counts =
    `SELECT ${id} AS id, count(*) AS n FROM ${frame.contributing} WHERE ${frame.where} ` +
    `GROUP BY id HAVING id IS NULL OR count(*) > ${integerSql(unit.maxRowsPerUser)}`;
  let unkeyedRows = 0;
  const capped: string[] = [];
  await forEachRow(conn, counts, params, source, (row) => {
    if (row[0] === null) unkeyedRows = Number(row[1]);
    else capped.push(String(row[0]));
  });
  const filters = [`NOT ${missing}`];
  if (capped.length === 0) return { filters, joins: [], cappedCustomers: 0, unkeyedRows, frame, params };

  const p = await positional();
  const key = p.frame.columns.get(unit.userColumn)!;
  const customers = await temp.texts(capped);
  const rowsSql =
    `SELECT ${p.frame.position} AS pos, u.v AS id FROM ${p.frame.contributing} ` +
    `JOIN ${customers} AS u ON u.v = ${keySql(key)} ` +
    `WHERE ${p.frame.where} AND NOT ${missingSql(key.quoted, key.type)} ORDER BY id, pos`;
  const draw = new CustomerDraw(new KeyedPriority(secret), unit.maxRowsPerUser);
  await forEachRow(conn, rowsSql, p.params, source, (row) => draw.add(String(row[1]), Number(row[0])));
  draw.flush();
  const table = await temp.positions(draw.dropped);
  return {
    filters: [`NOT ${missingSql(key.quoted, key.type)}`],
    joins: [`ANTI JOIN ${table} AS dropped ON dropped.pos = ${p.frame.position}`],
    cappedCustomers: capped.length,
    unkeyedRows,
    frame: p.frame,
    params: p.params,
  };
}
