// `tessera model recommend`: a merchant scores its own customers with a recommend job's item model, locally.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { DATASET_FLAG_FORMS, type DatasetLocation, parseDatasetFlag } from '../dataset-flag.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import type { RecommendModelColumns } from './model-file.js';

interface RecommendFlags {
  model: string;
  data: string;
  customer?: string;
  top: number;
  out?: string;
  json?: boolean;
  customerColumn?: string;
  itemColumn?: string;
  countColumn?: string;
  ratingColumn?: string;
  timestampColumn?: string;
}

const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got "${v}"`);
  return n;
};

/** `--data SOURCE`: the forms of `--dataset NAME=SOURCE` without the name. */
function dataLocation(source: string): DatasetLocation {
  try {
    return parseDatasetFlag(`data=${source}`)[1];
  } catch {
    throw new UsageError(
      `--data "${source.replace(/(\/\/[^:/@]*):[^@]*@/, '$1:***@')}" must look like ` +
        DATASET_FLAG_FORMS.replaceAll('NAME=', ''),
    );
  }
}

const csvCell = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
/** Customers from which batch scoring reports its progress on stderr. */
const LARGE = 10_000;

export function registerModelRecommend(model: Command): void {
  model
    .command('recommend')
    .description(
      "recommend items to your own customers with a recommend job's model: their factors are fitted here from your " +
        'interactions against the shared item factors; nothing leaves this machine',
    )
    .requiredOption('--model <file>', "a recommend job's model file from `tessera job result <id> --out model.json`")
    .requiredOption(
      '--data <source>',
      `your interactions: ${DATASET_FLAG_FORMS.replaceAll('NAME=', '')} (the columns the job trained on)`,
    )
    .option('--customer <id>', "print this customer's top items")
    .option('--top <n>', 'items per customer', positive('--top'), 10)
    .option('--out <file.csv>', "write every customer's top items (customer_id, rank, item_id, score)")
    .option('--json', 'print the recommendations (--customer) or a summary of the written file (--out) as JSON')
    .option('--customer-column <name>', "the customer id column (default: the model's)")
    .option('--item-column <name>', "the item id column (default: the model's)")
    .option('--count-column <name>', "a count column, summed per customer and item (default: the model's)")
    .option('--rating-column <name>', "a rating column, the latest per customer and item (default: the model's)")
    .option(
      '--timestamp-column <name>',
      "a timestamp column, checked but not used in scoring (default: the model's, when the data has it)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera model recommend --model model.json --data orders.csv --customer c-1042
  $ tessera model recommend --model model.json --data orders.csv --customer c-1042 --top 5 --json
  $ tessera model recommend --model model.json --data orders.parquet --out recommendations.csv
  $ tessera model recommend --model model.json --data sqlite:shop.db:orders --item-column sku --out recs.csv

Runs entirely on this machine: the customers' factors are computed from your rows against the model's item
factors (ALS: its closed form; BPR: seeded SGD passes), every catalogue item is scored, and the items a customer
already has are left out. Nothing is sent anywhere. Rows whose item is not in the model's catalogue are skipped
and counted on stderr.
--json with --customer: {customer, model:{job, name, algorithm, k}, recommendations:[{rank, item, score}]};
with --out: {out, customers, rows, top, read, skipped}.`,
    )
    .action(async (o: RecommendFlags) => {
      if (o.customer === undefined && o.out === undefined)
        throw new UsageError("give --customer ID for one customer's top items, or --out FILE.csv for every customer's");
      const [{ interactionsFrom, itemCatalogue }, files, { readInteractions }, { customerFactorsOf, TopItems }] =
        await Promise.all([
          import('@tessera/recommend'),
          import('./model-file.js'),
          import('./read-interactions.js'),
          import('./serve.js'),
        ]);
      const location = dataLocation(o.data);
      const model = files.loadRecommendModelFile(o.model);
      const columns: RecommendModelColumns = {
        ...model.columns,
        ...(o.customerColumn ? { customer: o.customerColumn } : {}),
        ...(o.itemColumn ? { item: o.itemColumn } : {}),
        ...(o.countColumn ? { count: o.countColumn } : {}),
        ...(o.ratingColumn ? { rating: o.ratingColumn } : {}),
        ...(o.timestampColumn ? { timestamp: o.timestampColumn } : {}),
      };
      if (columns.count !== undefined && columns.rating !== undefined) {
        if (o.countColumn) delete columns.rating;
        else if (o.ratingColumn) delete columns.count;
      }
      const catalogue = itemCatalogue(model.catalogue, `${o.model} catalogue`);
      let reported = 0;
      const read = await readInteractions(location, columns, catalogue, {
        // Time does not change the scores: the model's timestamp column may be absent from this data.
        optionalTimestamp: o.timestampColumn === undefined,
        onProgress: (rows) => {
          if (rows - reported >= 1_000_000) {
            reported = rows;
            process.stderr.write(`  read ${rows} rows\n`);
          }
        },
      });
      if (read.unknownItems > 0) {
        const examples = read.unknownExamples.map((x) => `"${x}"`).join(', ');
        process.stderr.write(
          `skipped ${read.unknownItems} of ${read.read} rows of ${read.source}: their item is not in the model's ` +
            `catalogue of ${catalogue.ids.length} items (e.g. ${examples})\n`,
        );
      }
      if (read.rows.length === 0) {
        const problem =
          read.read === 0 ? 'has no rows' : `none of its ${read.read} rows has an item in the model's catalogue`;
        throw new UsageError(
          `${read.source}: ${problem}; check --data and the item column ("${columns.item}", --item-column)`,
        );
      }
      const data = interactionsFrom(read.rows, catalogue, { source: read.source });
      const items = files.itemsOfModelFile(model);
      let target: number | undefined;
      if (o.customer !== undefined) {
        target = data.customerIds.indexOf(o.customer);
        if (target < 0)
          throw new UsageError(
            `customer "${o.customer}" has no interactions in ${read.source} (column "${columns.customer}"` +
              `${read.unknownItems > 0 ? ", with an item in the model's catalogue" : ''}); ` +
              'check the id, or give the file that holds its rows',
          );
      }
      const customers = customerFactorsOf(model, items, data);
      const top = new TopItems(items, customers, data, o.top);
      const modelInfo = { job: model.job.id, name: model.name, algorithm: model.algorithm, k: model.k };
      if (o.out === undefined) {
        const list = top.of(target!).map((r, i) => ({ rank: i + 1, ...r }));
        if (o.json) return printJson({ customer: o.customer, model: modelInfo, recommendations: list });
        process.stdout.write(
          `top ${list.length} items for customer "${o.customer}" (${model.algorithm}, k = ${model.k}, ` +
            `job ${model.job.id}; computed locally):\n` +
            `${renderTable(
              ['rank', 'item', 'score'],
              list.map((r) => [r.rank, r.item, r.score]),
            )}\n`,
        );
        return;
      }
      const which = target === undefined ? data.customerIds.map((_, c) => c) : [target];
      const fd = openSync(o.out, 'w');
      let rows = 0;
      try {
        let chunk = 'customer_id,rank,item_id,score\n';
        which.forEach((c, n) => {
          const id = csvCell(data.customerIds[c]!);
          top.of(c).forEach((r, i) => {
            chunk += `${id},${i + 1},${csvCell(r.item)},${r.score.toFixed(6)}\n`;
            rows++;
          });
          if (chunk.length > 1 << 20) {
            writeSync(fd, chunk);
            chunk = '';
          }
          if (which.length >= LARGE && (n + 1) % Math.ceil(which.length / 10) === 0)
            process.stderr.write(`  scored ${n + 1} of ${which.length} customers\n`);
        });
        writeSync(fd, chunk);
      } finally {
        closeSync(fd);
      }
      if (o.json)
        return printJson({
          out: o.out,
          customers: which.length,
          rows,
          top: o.top,
          read: read.read,
          skipped: read.unknownItems,
        });
      process.stdout.write(
        `wrote the top ${o.top} items of ${which.length} customers (${rows} rows) to ${o.out}; computed locally\n`,
      );
    });
}
