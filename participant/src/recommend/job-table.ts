// A recommend job's table at this node: the interactions against the declared catalogue, checked, and held out.
import { DataError } from '@tessera/data';
import type { RecommendJobSpec } from '@tessera/jobs';
import {
  checkFactorCount,
  interactionsFrom,
  itemCatalogue,
  leaveLastOut,
  type Interactions,
  type LeaveLastOut,
} from '@tessera/recommend';
import type { LocalData } from '../local-data.js';
import { readInteractionRows } from './interaction-rows.js';

/** What a recommend job trains and evaluates on at this node. */
export interface RecommendTable {
  /** Every interaction (one entry per customer and item). */
  data: Interactions;
  /** What trains: `data` without each customer's latest item with evaluation.holdOut 'last', else `data`. */
  train: Interactions;
  /** The held-out items (evaluation.holdOut 'last'). */
  split?: LeaveLastOut;
  /** Rows of the data set read (the data use the audit log records). */
  rows: number;
}

/**
 * Reads and checks the job's interactions: every row's item in the spec's catalogue (or skipped with unknownItems
 * 'skip'), at least one row, k below the catalogue's items and this node's customers (model.k), and under
 * differential privacy at most privacy.maxCustomers customers (the ring has room for no more). Each refusal is a
 * DataError naming the data set and, for a row, its number and column.
 */
export async function readRecommendTable(data: LocalData, spec: RecommendJobSpec): Promise<RecommendTable> {
  const { rows, source } = await readInteractionRows(data, spec.dataset, spec.columns);
  let table: Interactions;
  try {
    table = interactionsFrom(rows, itemCatalogue(spec.catalogue.items, 'catalogue.items'), {
      source,
      unknownItems: spec.unknownItems,
    });
  } catch (e) {
    throw e instanceof DataError ? withColumnNames(e, spec, source) : e;
  }
  try {
    checkFactorCount(spec.model.k, [table]);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new DataError({ source }, `the job spec's model.k is too large for this data: ${e.message}`);
  }
  const customers = table.customerIds.length;
  if (spec.privacy.mode !== 'none' && customers > spec.privacy.maxCustomers)
    throw new DataError(
      { source },
      `${customers} customers are more than the job spec's privacy.maxCustomers (${spec.privacy.maxCustomers}), ` +
        'the most the private encoding leaves room for; the analyst can raise privacy.maxCustomers',
    );
  if (spec.evaluation.holdOut !== 'last') return { data: table, train: table, rows: rows.length };
  const split = leaveLastOut(table);
  return { data: table, train: split.train, split, rows: rows.length };
}

/** The library names a row's field (customer, item...): named here by the data set's column the spec maps it to. */
function withColumnNames(e: DataError, spec: RecommendJobSpec, source: string): DataError {
  const field = e.column as keyof RecommendJobSpec['columns'] | undefined;
  const column = field === undefined ? undefined : spec.columns[field];
  if (column === undefined) return e;
  const problem = e.message.slice(e.message.indexOf(': ') + 2);
  return new DataError(
    { source, ...(e.line !== undefined ? { line: e.line, lineName: 'row' as const } : {}), column },
    `${problem} (the job spec's columns.${field})`,
  );
}
