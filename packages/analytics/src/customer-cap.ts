import { createHmac } from 'node:crypto';
import type { Random } from '@tessera/crypto';
import { selectRows, type RawTable } from '@tessera/data';
import { compileGroupOf, isMissing } from './evaluate.js';
import { checkColumns, type QueryPlan } from './plan.js';

/** What capping did to a table: rows kept, and rows left out (over the cap, or with no customer key). */
export interface CapReport {
  table: RawTable;
  /** Customers with more contributing rows than the cap (a sample of maxRowsPerUser of theirs was kept). */
  cappedCustomers: number;
  /** Contributing rows whose customer key is missing: they cannot be attributed to a customer, so they are left out. */
  unkeyedRows: number;
}

/**
 * Unit customer: keeps at most `maxRowsPerUser` of each customer's contributing rows (those that pass
 * WHERE and fall in a declared group), a uniform sample without replacement drawn with `rng` (the
 * participant's own CSPRNG: nobody else can know or steer which rows are kept). The draw: a 32-byte
 * key from `rng`, once per call; the k-th contributing row of customer u gets the priority
 * HMAC-SHA256(key, u, k), and each customer keeps the rows with the smallest priorities. A customer's
 * sample depends only on the key and its own rows, so customers are sampled independently, and with
 * the same key, adding or removing one customer's rows (anywhere in the table) changes no other
 * customer's sample. Rows whose user-column cell is missing are dropped (no cap could bound whose
 * they are), and so are rows that contribute nothing. Kept rows stay in table order. Adding or
 * removing one customer therefore changes the result by at most that customer's own kept rows: at
 * most maxRowsPerUser records, which the plan's sensitivity covers. Unit record: the table as it is.
 */
export function capRowsPerUser(plan: QueryPlan, table: RawTable, rng: Random): CapReport {
  if (plan.unit.unit !== 'customer') return { table, cappedCustomers: 0, unkeyedRows: 0 };
  checkColumns(plan, table);
  const { userColumn, maxRowsPerUser } = plan.unit;
  const key = table.columns.indexOf(userColumn);
  const groupOf = compileGroupOf(plan, table.columns);
  const secret = rng.bytes(32);
  const byCustomer = new Map<string, number[]>();
  let unkeyedRows = 0;
  table.rows.forEach((row, i) => {
    if (groupOf(row) < 0) return;
    const cell = row[key];
    if (cell === undefined || isMissing(cell)) {
      unkeyedRows++;
      return;
    }
    const id = cell.trim();
    const rows = byCustomer.get(id);
    if (rows) rows.push(i);
    else byCustomer.set(id, [i]);
  });
  const kept: number[] = [];
  let cappedCustomers = 0;
  for (const [id, rows] of byCustomer) {
    if (rows.length > maxRowsPerUser) {
      cappedCustomers++;
      const priority = rows.map((row, k) => ({
        row,
        p: createHmac('sha256', secret).update(`${id}\u0000${k}`).digest(),
      }));
      priority.sort((a, b) => Buffer.compare(a.p, b.p) || a.row - b.row);
      for (const { row } of priority.slice(0, maxRowsPerUser)) kept.push(row);
    } else {
      for (const r of rows) kept.push(r);
    }
  }
  kept.sort((a, b) => a - b);
  return { table: selectRows(table, kept), cappedCustomers, unkeyedRows };
}
