import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_DEFAULTS, renderDataBench, runDataBench } from '../src/data/data-bench.js';

// The measurements run in child processes of the built bench (bench/dist/data/data-child.js): build it first.
describe('data benchmark (bench workspace)', () => {
  it('measures every path on small generated orders, checks their answers agree and deletes the data', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'tessera-bench-data-'));
    const cacheDir = join(parent, 'cache');
    let deleted = false;
    const r = await runDataBench(() => {}, {
      ...DATA_DEFAULTS,
      sizes: [20_000],
      repeats: 2,
      jsRows: 5000,
      trainRows: 20_000,
      cacheDir,
    }).finally(() => {
      deleted = !existsSync(cacheDir);
      rmSync(parent, { recursive: true, force: true });
    });
    // the data sets were generated into the cache directory, which the part deleted when it was done
    // (the training epoch reads the 20,000-row Parquet file of the queries)
    expect(r.datasets.map((d) => [d.rows, d.format, d.file.startsWith(cacheDir)])).toEqual([
      [5000, 'csv', true],
      [20_000, 'parquet', true],
      [20_000, 'csv', true],
    ]);
    expect(deleted).toBe(true);
    expect(DATA_DEFAULTS.sizes).toEqual([1e7, 1e8]);
    expect(r.pass).toBe(true);
    expect(r.queries.map((q) => [q.query, q.format, q.rows, q.sameAnswer, q.engine.runs])).toEqual([
      ['group', 'parquet', 20_000, true, 2],
      ['histogram', 'parquet', 20_000, true, 2],
      ['group', 'csv', 20_000, true, 2],
      ['histogram', 'csv', 20_000, true, 2],
    ]);
    expect(r.queries.every((q) => q.engine.peakRssMiB > 20 && q.plain.peakRssMiB > 20 && q.ratio > 0)).toBe(true);
    expect(r.csvTypes).toEqual({ region: 'VARCHAR', order_value: 'DOUBLE' });
    expect(r.js.map((j) => [j.query, j.rows, j.sameAnswer])).toEqual([
      ['group', 5000, true],
      ['histogram', 5000, true],
    ]);
    expect(r.training.map((t) => [t.path, t.inMemory, t.rows])).toEqual([
      ['streamed', false, 20_000],
      ['memory', true, 20_000],
    ]);
    expect(r.training.every((t) => t.examplesPerSecond > 0 && Number.isFinite(t.meanLoss))).toBe(true);
    expect(renderDataBench(r)).toContain('streamed throughput / in-memory throughput');
  }, 180_000);
});
