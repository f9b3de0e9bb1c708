import { basename } from 'node:path';
import { binaryLabel, generateCommerce, profileTable, readCsvFile, type RawTable } from '@tessera/data';
import { UsageError } from '../ui/errors.js';

export interface DemoData {
  table: RawTable;
  label: string;
  /** Columns that are not features (identifiers, the split column of a synthetic set). */
  exclude: string[];
  defaultSplit: string;
  description: string;
  labels: Float64Array;
}

/** The demo's data: a CSV file the user names, or the project's seeded synthetic merchants' customers. */
export function loadDemoData(o: {
  data?: string;
  label?: string;
  participants: number;
  seed: number;
  customersPerMerchant?: number;
}): DemoData {
  if (o.data) {
    if (!o.label) throw new UsageError('--data needs --label COLUMN (the binary target, e.g. --label benign)');
    const table = readCsvFile(o.data);
    profileTable(table, o.label);
    const li = table.columns.indexOf(o.label);
    // profileTable refused a missing label column or cell
    const labels = Float64Array.from(table.rows.map((r) => binaryLabel(r[li]!) ?? 0));
    return {
      table,
      label: o.label,
      exclude: [],
      defaultSplit: 'iid',
      description: `${basename(o.data)} (${table.rows.length} rows)`,
      labels,
    };
  }
  if (o.label && o.label !== 'repurchase')
    throw new UsageError(`the synthetic data set's label is "repurchase"; --label ${o.label} needs --data FILE.csv`);
  const perMerchant = o.customersPerMerchant ?? 600;
  const table = generateCommerce({ merchants: o.participants, customersPerMerchant: perMerchant, seed: o.seed });
  const li = table.columns.indexOf('repurchase');
  const labels = Float64Array.from(table.rows.map((r) => binaryLabel(r[li]!) ?? 0)); // every generated row has one
  const rows = table.rows.length;
  return {
    table,
    label: 'repurchase',
    exclude: ['customer_id', 'merchant'],
    defaultSplit: 'by:merchant',
    labels,
    description: `synthetic e-commerce customers of ${o.participants} merchants (${rows} rows, seed ${o.seed})`,
  };
}
