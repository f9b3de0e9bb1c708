// `generateOrders`: a merchant-sized synthetic order history written by DuckDB straight to one CSV or Parquet file, in
// one statement whose progress is polled. A demo and benchmark generator, not a privacy mechanism.
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { LocalEngine } from '../engine.js';
import { quoteLiteral, quotePath } from '../identifiers.js';
import { MIN_CUSTOMERS, ordersSelect } from './orders-sql.js';

export type OrdersFormat = 'csv' | 'parquet';

export interface GenerateOrdersOptions {
  /** Order rows to write. */
  orders: number;
  /** The same seed gives the same rows (and, for CSV, the same bytes). */
  seed: number;
  /** The file to write (replaced if it exists; written under a temporary name and renamed when complete). */
  out: string;
  format: OrdersFormat;
  /** Merchants the orders are spread over (default 8; a few large, many small). */
  merchants?: number;
  /** Distinct customers (default orders / 5, at least 10): about 5 orders each, a few loyal ones with many. */
  customers?: number;
  /** Called when writing starts, every `progressEvery` ms while it runs (rows so far), and when it is complete. */
  onProgress?: (p: OrdersProgress) => void;
  /** Milliseconds between progress reports (default 1000). */
  progressEvery?: number;
  /** DuckDB threads (default: the machine's cores). */
  threads?: number;
}

export interface OrdersProgress {
  /** Rows written so far. */
  rows: number;
  /** Rows to write. */
  total: number;
  /** Seconds since the start. */
  seconds: number;
  /** writing, or done when the file is complete. */
  phase: 'writing' | 'done';
}

export interface GeneratedOrders {
  file: string;
  format: OrdersFormat;
  rows: number;
  bytes: number;
  seconds: number;
  seed: number;
  customers: number;
  merchants: number;
}

export const DEFAULT_MERCHANTS = 8;
/** Rows per row group of the row-number file: DuckDB reads row groups in parallel. */
const ROW_GROUP = 122_880;

/** Writes `orders` synthetic order rows to `out`; see ORDER_COLUMNS for the columns. */
export async function generateOrders(opts: GenerateOrdersOptions): Promise<GeneratedOrders> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (!Number.isSafeInteger(opts.orders) || opts.orders < 1)
    throw new RangeError(`orders must be a whole number of at least 1, got ${opts.orders}`);
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be a whole number, got ${opts.seed}`);
  if (opts.format !== 'csv' && opts.format !== 'parquet')
    throw new RangeError(`format must be csv or parquet, got ${String(opts.format)}`);
  const merchants = opts.merchants ?? DEFAULT_MERCHANTS;
  if (!Number.isSafeInteger(merchants) || merchants < 1)
    throw new RangeError(`merchants must be a whole number of at least 1, got ${merchants}`);
  const customers = opts.customers ?? Math.max(MIN_CUSTOMERS, Math.ceil(opts.orders / 5));
  if (!Number.isSafeInteger(customers) || customers < MIN_CUSTOMERS)
    throw new RangeError(`customers must be a whole number of at least ${MIN_CUSTOMERS}, got ${customers}`);
  const world = { seed: opts.seed, customers, merchants };
  const total = opts.orders;
  const report = (rows: number, phase: OrdersProgress['phase']) =>
    opts.onProgress?.({ rows, total, seconds: seconds(), phase });

  if (!existsSync(dirname(resolve(opts.out))))
    throw new Error(`${opts.out}: the directory ${dirname(resolve(opts.out))} does not exist; create it first`);
  const work = mkdtempSync(join(dirname(resolve(opts.out)), `.${basename(opts.out)}.tmp-`));
  const numbers = join(work, 'rows.parquet');
  const partial = join(work, `orders.${opts.format}`);
  const engine = await LocalEngine.open({
    threads: opts.threads ?? availableParallelism(),
    memoryLimit: '1GB',
    tempDirectory: work,
  });
  try {
    const conn = engine.connection;
    await conn.run('SET enable_progress_bar = true');
    await conn.run('SET enable_progress_bar_print = false');
    // range() is read by one thread and reports no progress; a Parquet file of the row numbers (delta-encoded: a few
    // kilobytes) is read by every thread, in row order, and DuckDB counts the rows read
    await conn.run(
      `COPY (SELECT range AS i FROM range(${total})) TO ${quoteLiteral(numbers)} ` +
        `(FORMAT parquet, PARQUET_VERSION v2, ROW_GROUP_SIZE ${ROW_GROUP})`,
    );
    report(0, 'writing');
    const options = opts.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT parquet, COMPRESSION zstd';
    const copy = conn.run(
      `COPY (${ordersSelect(world, `read_parquet(${quotePath(numbers)})`)}) TO ${quoteLiteral(partial)} ` +
        `(${options})`,
    );
    let done = 0;
    const timer = setInterval(() => {
      const read = Number(conn.progress.rows_processed);
      if (read > done && read < total) report((done = read), 'writing');
    }, opts.progressEvery ?? 1000);
    try {
      await copy;
    } finally {
      clearInterval(timer);
    }
    renameSync(partial, opts.out);
  } finally {
    await engine.close();
    rmSync(work, { recursive: true, force: true });
  }
  report(total, 'done');
  return {
    file: opts.out,
    format: opts.format,
    rows: total,
    bytes: statSync(opts.out).size,
    seconds: seconds(),
    seed: opts.seed,
    customers,
    merchants,
  };
}
