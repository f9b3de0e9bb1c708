// Writes the README walkthrough's sample merchant data, synthetic, from @tessera/data's seeded generator:
// merchant A's customers.csv and orders.csv, merchant B's merchant-b/customers.csv and merchant-b/orders.csv,
// and new_customers.csv (customers of both, held back, to score). Same seed, same files.
//
//   node examples/data/make-customers.mjs [DIR]   (after npm run build; the files are checked in; DIR: elsewhere)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@tessera/crypto';
import { generateCommerce, selectRows, toCsv } from '@tessera/data';

const SEED = 'readme';
const table = generateCommerce({ merchants: 2, customersPerMerchant: 700, seed: SEED });
const col = (name) => table.columns.indexOf(name);
const merchant = col('merchant');
const rowsOf = (id, from, to) => table.rows.flatMap((r, i) => (r[merchant] === id ? [i] : [])).slice(from, to);
const outDir = process.argv[2] ? resolve(process.argv[2]) : dirname(fileURLToPath(import.meta.url));
const write = (name, text) => {
  const file = resolve(outDir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

/**
 * One row per order of each customer: `frequency_orders` orders whose values add up, to the cent, to the
 * customer's `monetary_total`, the most recent `recency_days` ago and the others within the customer's tenure.
 */
function ordersOf(rows) {
  const lines = ['order_id,customer_id,region,category,order_value,days_ago'];
  for (const i of rows) {
    const r = table.rows[i];
    const id = r[col('customer_id')];
    const rng = seededRandom(`tessera/examples/orders/${SEED}/${id}`);
    const count = Number(r[col('frequency_orders')]);
    const cents = Math.round(Number(r[col('monetary_total')]) * 100);
    const recency = Number(r[col('recency_days')]);
    const tenure = Number(r[col('tenure_days')]);
    const weights = Array.from({ length: count }, () => 0.5 + rng.float());
    const total = weights.reduce((a, b) => a + b, 0);
    let left = cents;
    for (let k = 0; k < count; k++) {
      const value = k === count - 1 ? left : Math.round((cents * weights[k]) / total);
      left -= value;
      const daysAgo = k === 0 ? recency : recency + rng.int(Math.max(1, tenure - recency));
      const order = `${id}-${String(k + 1).padStart(2, '0')}`;
      lines.push(
        `${order},${id},${r[col('region')]},${r[col('favourite_category')]},${(value / 100).toFixed(2)},${daysAgo}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const a = rowsOf('m1', 0, 600);
const b = rowsOf('m2', 0, 600);
write('customers.csv', toCsv(selectRows(table, a)));
write('orders.csv', ordersOf(a));
write('merchant-b/customers.csv', toCsv(selectRows(table, b)));
write('merchant-b/orders.csv', ordersOf(b));
write('new_customers.csv', toCsv(selectRows(table, [...rowsOf('m1', 600, 700), ...rowsOf('m2', 600, 700)])));
