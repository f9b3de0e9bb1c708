// Writes the README's walkthrough data: two merchants' customers (customers-a.csv, customers-b.csv)
// and new customers to score (new-customers.csv), synthetic, from @tessera/data's seeded generator.
//
//   node examples/data/make-customers.mjs       (after npm run build; the files are checked in)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateCommerce, selectRows, toCsv } from '@tessera/data';

const table = generateCommerce({ merchants: 2, customersPerMerchant: 700, seed: 'readme' });
const merchant = table.columns.indexOf('merchant');
const rowsOf = (id, from, to) => table.rows.flatMap((r, i) => (r[merchant] === id ? [i] : [])).slice(from, to);
const out = (name, rows) =>
  writeFileSync(fileURLToPath(new URL(name, import.meta.url)), toCsv(selectRows(table, rows)));
out('customers-a.csv', rowsOf('m1', 0, 600));
out('customers-b.csv', rowsOf('m2', 0, 600));
out('new-customers.csv', [...rowsOf('m1', 600, 700), ...rowsOf('m2', 600, 700)]);
