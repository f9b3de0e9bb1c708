// A catalogue job in the CLI: `job get` prints its item count, `job result --out catalogue.csv` writes its items.
import { writeFileSync } from 'node:fs';
import type { JobView } from '@tessera/sdk';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

/** What a completed catalogue job's result holds (coordinator kinds/catalogue). */
export interface CatalogueJobResult {
  items: { id: string; count: number }[];
  rounds: number;
  privacy: { epsilon: number; delta: number; noiseMultiplier: number; threshold: number };
}

/** A catalogue job's result, or undefined before it completed (or for another kind of job). */
export function catalogueResultOf(j: JobView): CatalogueJobResult | undefined {
  const c = (j.result as { catalogue?: CatalogueJobResult } | undefined)?.catalogue;
  return c && Array.isArray(c.items) ? c : undefined;
}

/** `job get` of a catalogue job: its rounds so far and, once completed, how many items it found. */
export function printCatalogueJob(j: JobView): void {
  const rounds = j.history.filter((h) => h.stage === 'catalogue');
  if (rounds.length)
    process.stdout.write(
      `${renderTable(
        ['round', 'status', 'contributors', 'prefixes', 'threshold', 'completed', 'go on'],
        rounds.map((h) => [
          h.round,
          h.status + (h.attempt > 1 ? ` (attempt ${h.attempt})` : ''),
          h.contributors,
          h.metrics.prefixes ?? Number.NaN,
          h.metrics.count_threshold ?? Number.NaN,
          h.metrics.completed ?? Number.NaN,
          h.metrics.surviving_prefixes ?? Number.NaN,
        ]),
      )}\n`,
    );
  const c = catalogueResultOf(j);
  if (!c) return;
  process.stdout.write(
    `catalogue: ${c.items.length} item(s) after ${c.rounds} round(s), epsilon ${c.privacy.epsilon.toFixed(3)} ` +
      `at delta ${c.privacy.delta} (threshold ${c.privacy.threshold.toFixed(1)} customers)\n`,
  );
  if (j.status === 'completed')
    process.stdout.write(
      `save it with: tessera job result ${j.id} --out catalogue.csv, then declare catalogue: ` +
        '{"file": "catalogue.csv"} in a recommend job\n',
    );
}

/**
 * The catalogue file a recommend spec's `catalogue: {file}` reads: `item_id` then one id per line; when an id holds a
 * comma, a quote, a line break or surrounding spaces, a CSV with columns item_id and count instead (ids quoted).
 */
export function catalogueCsv(items: readonly { id: string; count: number }[]): string {
  const plain = items.every((i) => !/[",\r\n]/.test(i.id) && i.id.trim() === i.id);
  if (plain) return `item_id\n${items.map((i) => `${i.id}\n`).join('')}`;
  const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return `item_id,count\n${items.map((i) => `${quoted(i.id)},${i.count.toFixed(1)}\n`).join('')}`;
}

/** `job result` of a catalogue job: the items (with --out, as a catalogue file; with --json, as JSON). */
export function saveCatalogueResult(job: JobView, o: { out?: string; json?: boolean }): void {
  const c = catalogueResultOf(job);
  if (!c)
    throw new UsageError(`catalogue job ${job.id} is ${job.status}${job.error ? `: ${job.error}` : ''}; no result yet`);
  if (o.out) writeFileSync(o.out, catalogueCsv(c.items));
  if (o.json) {
    printJson(c);
    return;
  }
  process.stdout.write(
    `catalogue of job ${job.id}: ${c.items.length} item(s)${o.out ? ` written to ${o.out}` : ''} ` +
      `(epsilon ${c.privacy.epsilon.toFixed(3)} at delta ${c.privacy.delta})\n`,
  );
  if (!o.out)
    process.stdout.write(
      `${renderTable(
        ['item', 'customers (noisy)'],
        c.items.slice(0, 20).map((i) => [i.id, Math.round(i.count)]),
      )}\n`,
    );
}
