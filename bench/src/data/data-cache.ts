// The synthetic orders the "data" part reads, generated once with generateOrders (packages/engine) into a cache
// directory and reused while their files are there: the same rows and seed give the same file name.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateOrders, type OrdersFormat } from '@tessera/engine';
import { fixed } from '../stats.js';

/** The seed of every data set of the part (issue 21). */
export const DATA_SEED = 21;

export interface CachedOrders {
  file: string;
  format: OrdersFormat;
  rows: number;
  bytes: number;
  /** Seconds generateOrders took (0 when the file was already in the cache). */
  generatedSeconds: number;
}

/** Where the data sets live: bench-results/data-cache unless TESSERA_BENCH_DATA names another directory. */
export function dataCacheDir(): string {
  return resolve(process.env.TESSERA_BENCH_DATA ?? join('bench-results', 'data-cache'));
}

export const ordersFile = (dir: string, rows: number, format: OrdersFormat) =>
  join(dir, `orders-${rows}-seed${DATA_SEED}.${format}`);

/** The file of `rows` orders in `format`, generated (with progress lines) when the cache lacks it. */
export async function cachedOrders(
  dir: string,
  rows: number,
  format: OrdersFormat,
  log: (line: string) => void,
): Promise<CachedOrders> {
  mkdirSync(dir, { recursive: true });
  const file = ordersFile(dir, rows, format);
  if (existsSync(file)) {
    log(`${file}: in the cache (${fixed(statSync(file).size / 1024 ** 3, 2)} GiB)`);
    return { file, format, rows, bytes: statSync(file).size, generatedSeconds: 0 };
  }
  log(`generating ${rows} orders as ${format} into ${file}`);
  const g = await generateOrders({
    orders: rows,
    seed: DATA_SEED,
    out: file,
    format,
    progressEvery: 15_000,
    onProgress: (p) => {
      if (p.phase === 'writing' && p.rows > 0)
        log(
          `  ${file}: ${p.rows} of ${p.total} rows ` +
            `(${Math.round((100 * p.rows) / p.total)}%, ${p.seconds.toFixed(0)} s)`,
        );
    },
  });
  log(`  ${file}: ${g.rows} rows, ${fixed(g.bytes / 1024 ** 3, 2)} GiB in ${g.seconds.toFixed(1)} s`);
  return { file, format, rows, bytes: g.bytes, generatedSeconds: fixed(g.seconds, 1) };
}

/** Deletes the part's data sets (the whole cache directory). */
export function removeDataCache(dir: string, log: (line: string) => void): void {
  rmSync(dir, { recursive: true, force: true });
  log(`deleted the data sets in ${dir} (TESSERA_BENCH_KEEP_DATA=1 keeps them)`);
}
