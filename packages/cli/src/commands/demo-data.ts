// `tessera demo data`: a seeded synthetic order history (CSV or Parquet) for tests, benchmarks and trying the node on
// merchant-sized data.
import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { RecommendFiles } from '../recommend/synthetic-files.js';
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
        'take minutes. With --recommend: interactions with planted structure, one CSV per merchant',
    )
    .option(
      '--orders <n>',
      'order rows to write (e.g. 1000000 or 1e7); required without --recommend',
      wholeNumber('--orders', 1),
    )
    .requiredOption(
      '--out <file>',
      'the file to write (replaced when complete): FILE.csv or FILE.parquet; with --recommend a directory',
    )
    .option('--format <format>', "csv or parquet (default: from --out's extension, else csv)")
    .option(
      '--seed <n>',
      'the same seed writes the same rows (and the same CSV bytes)',
      wholeNumber('--seed', Number.MIN_SAFE_INTEGER),
      42,
    )
    .option(
      '--merchants <m>',
      'merchants the orders are spread over (a few large, many small); default 8, 10 with --recommend',
      wholeNumber('--merchants', 1),
    )
    .option(
      '--recommend',
      'recommendation mode: into the --out directory, one interactions CSV per merchant (customer_id, item_id, ' +
        'timestamp) with planted customer tastes x item embeddings, catalogue.csv, a recommend job spec, a README',
    )
    .option(
      '--customers <n>',
      'with --recommend: customers, split over the merchants (default 2000)',
      wholeNumber('--customers', 1),
    )
    .option('--items <n>', 'with --recommend: catalogue items (default 300)', wholeNumber('--items', 2))
    .option(
      '--json',
      'print {file, format, rows, bytes, seconds, seed, merchants, customers} as JSON; with --recommend ' +
        '{dir, merchants, files, rows, items, customers, seed, catalogue, spec, readme}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera demo data --orders 1000000 --out orders.csv
  $ tessera demo data --orders 1e7 --out orders.parquet --seed 7
  $ tessera demo data --orders 1e8 --out big.csv --merchants 20 --json
  $ tessera demo data --recommend --out federation --seed 7
  $ tessera demo data --recommend --out federation --merchants 5 --customers 1000 --items 200 --json

Columns: order_id, customer_id, merchant_id, product_id, category (12), region (north, south, east, west,
central), ordered_at (2024-2025, weekly and seasonal), quantity, unit_price, order_value (quantity x
unit_price - discount), discount, returned (yes/no), channel (web, app, store). One row per order.
The CSV has a header and LF line ends; Parquet columns are typed. Progress goes to stderr.
The draws are seeded hashes: demo data, not a privacy mechanism. Serve the file with
tessera participant init --dataset orders=FILE, or look at it with tessera participant data check.
With --recommend the same seed and sizes give the merchants of tessera demo --recommend --seed N.`,
    )
    .action(
      async (o: {
        orders?: number;
        out: string;
        format?: string;
        seed: number;
        merchants?: number;
        recommend?: boolean;
        customers?: number;
        items?: number;
        json?: boolean;
      }) => {
        if (o.recommend) return writeRecommendData(o);
        for (const flag of ['customers', 'items'] as const)
          if (o[flag] !== undefined) throw new UsageError(`--${flag} needs --recommend`);
        if (o.orders === undefined)
          throw new UsageError(
            "required option '--orders <n>' not specified (or give --recommend for recommendation interactions)",
          );
        const format = formatOf(o.out, o.format);
        const out = resolve(o.out);
        if (!existsSync(dirname(out)))
          throw new UsageError(`--out ${o.out}: the directory ${dirname(out)} does not exist; create it first`);
        const { generateOrders } = await import('@tessera/engine');
        process.stderr.write(`writing ${millions(o.orders)} synthetic orders to ${out} (${format}, seed ${o.seed})\n`);
        const r = await generateOrders({
          orders: o.orders,
          seed: o.seed,
          merchants: o.merchants ?? 8,
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

/** `--recommend`: the synthetic recommendation federation's files (see writeRecommendFiles). */
async function writeRecommendData(o: {
  orders?: number;
  out: string;
  format?: string;
  seed: number;
  merchants?: number;
  customers?: number;
  items?: number;
  json?: boolean;
}): Promise<void> {
  if (o.orders !== undefined) throw new UsageError('--orders is for order histories; --recommend writes interactions');
  if (o.format !== undefined) throw new UsageError('--format is for order histories; --recommend writes CSV files');
  const { RECOMMEND_DATA_DEFAULTS: d, writeRecommendFiles } = await import('../recommend/synthetic-files.js');
  const r: RecommendFiles = writeRecommendFiles({
    dir: o.out,
    seed: o.seed,
    merchants: o.merchants ?? d.merchants,
    customers: o.customers ?? d.customers,
    items: o.items ?? d.items,
  });
  if (o.json) return printJson(r);
  process.stdout.write(
    `wrote ${r.rows} interactions of ${r.customers} customers with ${r.merchants} merchants to ${r.dir}: ` +
      `merchant-1.csv to merchant-${r.merchants}.csv, catalogue.csv (${r.items} items), recommend-job.json; ` +
      `seed ${r.seed}. See ${r.readme}\n`,
  );
}
