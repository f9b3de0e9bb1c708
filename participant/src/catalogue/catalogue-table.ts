// A catalogue job's customers and their chosen items at this node, read once and kept across the job's rounds.
import { DataError } from '@tessera/data';
import type { CatalogueJobSpec } from '@tessera/jobs';
import type { Random } from '@tessera/recommend';
import type { LocalData } from '../local-data.js';
import { readInteractionRows } from '../recommend/interaction-rows.js';
import { chooseItems } from './catalogue-votes.js';

/** What a catalogue job counts at this node: per customer, its chosen items as UTF-8 bytes. */
export interface CatalogueTable {
  chosen: Uint8Array[][];
  customers: number;
  /** Rows of the data set read (the data use the audit log records). */
  rows: number;
}

/**
 * Reads the spec's customer and item columns of its data set, groups each customer's distinct items and chooses at
 * most maxItemsPerCustomer of them (chooseItems). An empty item id, or one longer than maxLength bytes in UTF-8, is
 * a DataError naming its row and column; so are more customers than privacy.maxCustomers.
 */
export async function readCatalogueTable(
  data: LocalData,
  spec: CatalogueJobSpec,
  rng: Random,
): Promise<CatalogueTable> {
  const columns = { customer: spec.customerColumn, item: spec.column };
  const specField = (field: string) => (field === 'item' ? 'column' : 'customerColumn');
  const { rows, source } = await readInteractionRows(data, spec.dataset, columns, specField);
  const encoder = new TextEncoder();
  const byCustomer = new Map<string, Set<string>>();
  rows.forEach((r, i) => {
    const at = { source, line: i + 1, lineName: 'row' as const };
    if (r.item === '')
      throw new DataError({ ...at, column: spec.column }, 'the item id is empty; fill it in or drop the row');
    const bytes = encoder.encode(r.item).length;
    if (bytes > spec.maxLength)
      throw new DataError(
        { ...at, column: spec.column },
        `item id ${JSON.stringify(r.item.slice(0, 40))} is ${bytes} bytes (UTF-8), longer than the job spec's ` +
          `maxLength ${spec.maxLength}; the analyst can raise maxLength`,
      );
    if (r.customer === '')
      throw new DataError(
        { ...at, column: spec.customerColumn },
        'the customer id is empty; fill it in or drop the row',
      );
    let items = byCustomer.get(r.customer);
    if (!items) byCustomer.set(r.customer, (items = new Set()));
    items.add(r.item);
  });
  if (byCustomer.size > spec.privacy.maxCustomers)
    throw new DataError(
      { source },
      `${byCustomer.size} customers are more than the job spec's privacy.maxCustomers ` +
        `(${spec.privacy.maxCustomers}), the most the private encoding leaves room for; the analyst can raise it`,
    );
  return {
    chosen: chooseItems(byCustomer, spec.maxItemsPerCustomer, rng),
    customers: byCustomer.size,
    rows: rows.length,
  };
}
