// `tessera demo data`: a seeded synthetic order history (CSV or Parquet) for tests, benchmarks and trying the node on
// merchant-sized data.
import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/** A whole number of at least `min` from a flag (1e7 and 10_000_000 are accepted), or a UsageError naming the flag. */
function wholeNumber(flag: string, min: number) {
  return (v: string) => {
    const n = Number(v.replaceAll('_', ''));
    if (!Number.isSafeInteger(n) || n < min)
      throw new UsageError(`${flag} must be a whole number of at least ${min}, got "${v}"`);
    return n;
  };
}

/** The output format: --format if given, else from the file's extension (.parquet), else csv. */
function formatOf(out: string, format: string | undefined): 'csv' | 'parquet' {
  if (format === undefined) return extname(out).toLowerCase() === '.parquet' ? 'parquet' : 'csv';
  if (format !== 'csv' && format !== 'parquet')
    throw new UsageError(`--format must be csv or parquet, got "${format}"`);
  return format;
}

const millions = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : String(n));
const megabytes = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export function registerDemoData(demo: Command): void {
  demo
    .command('data')
    .description(
      'write a seeded synthetic order history (CSV or Parquet): customers (some repeat), merchants, products, ' +
        'categories, prices, discounts, timestamps, returns and channels; generated inside DuckDB, so 10^8 rows ' +
        'take minutes',
    )
    .requiredOption('--orders <n>', 'order rows to write (e.g. 1000000 or 1e7)', wholeNumber('--orders', 1))
    .requiredOption('--out <file>', 'the file to write (replaced when complete): FILE.csv or FILE.parquet')
    .option('--format <format>', "csv or parquet (default: from --out's extension, else csv)")
    .option(
      '--seed <n>',
      'the same seed writes the same rows (and the same CSV bytes)',
      wholeNumber('--seed', Number.MIN_SAFE_INTEGER),
      42,
    )
    .option(
      '--merchants <m>',
      'merchants the orders are spread over (a few large, many small)',
      wholeNumber('--merchants', 1),
      8,
    )
    .option('--json', 'print {file, format, rows, bytes, seconds, seed, merchants, customers} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera demo data --orders 1000000 --out orders.csv
  $ tessera demo data --orders 1e7 --out orders.parquet --seed 7
  $ tessera demo data --orders 1e8 --out big.csv --merchants 20 --json

Columns: order_id, customer_id, merchant_id, product_id, category (12), region (north, south, east, west,
central), ordered_at (2024-2025, weekly and seasonal), quantity, unit_price, order_value (quantity x
unit_price - discount), discount, returned (yes/no), channel (web, app, store). One row per order.
The CSV has a header and LF line ends; Parquet columns are typed. Progress goes to stderr.
The draws are seeded hashes: demo data, not a privacy mechanism. Serve the file with
tessera participant init --dataset orders=FILE, or look at it with tessera participant data check.`,
    )
    .action(
      async (o: { orders: number; out: string; format?: string; seed: number; merchants: number; json?: boolean }) => {
        const format = formatOf(o.out, o.format);
        const out = resolve(o.out);
        if (!existsSync(dirname(out)))
          throw new UsageError(`--out ${o.out}: the directory ${dirname(out)} does not exist; create it first`);
        const { generateOrders } = await import('@tessera/engine');
        process.stderr.write(`writing ${millions(o.orders)} synthetic orders to ${out} (${format}, seed ${o.seed})\n`);
        const r = await generateOrders({
          orders: o.orders,
          seed: o.seed,
          merchants: o.merchants,
          out,
          format,
          onProgress: (p) => {
            if (p.phase === 'writing' && p.rows > 0)
              process.stderr.write(
                `  ${millions(p.rows)} of ${millions(p.total)} rows (${Math.floor((100 * p.rows) / p.total)}%), ` +
                  `${p.seconds.toFixed(0)} s\n`,
              );
          },
        });
        const seconds = Math.round(r.seconds * 100) / 100;
        if (o.json)
          return printJson({
            file: r.file,
            format: r.format,
            rows: r.rows,
            bytes: r.bytes,
            seconds,
            seed: r.seed,
            merchants: r.merchants,
            customers: r.customers,
          });
        process.stdout.write(
          `wrote ${r.rows} orders to ${r.file}: ${r.format}, ${r.bytes} bytes (${megabytes(r.bytes)}), ` +
            `${seconds} s; seed ${r.seed}, ${r.merchants} merchants, ${r.customers} customers\n`,
        );
      },
    );
}
