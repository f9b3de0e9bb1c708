// `tessera demo data --recommend`: the synthetic recommendation federation as files, one interactions CSV per
// merchant, the shared catalogue, a recommend job spec that uses them and a README.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seededRandom, syntheticRecommendation, DEFAULT_SYNTHETIC } from '@tessera/recommend';
import { UsageError } from '../ui/errors.js';

export interface RecommendFilesOptions {
  dir: string;
  seed: number;
  merchants: number;
  customers: number;
  items: number;
}

export interface RecommendFiles {
  dir: string;
  merchants: number;
  /** The merchants' interactions files, in merchant order. */
  files: string[];
  /** Interaction rows over all merchants. */
  rows: number;
  items: number;
  customers: number;
  seed: number;
  catalogue: string;
  spec: string;
  readme: string;
}

export const RECOMMEND_DATA_DEFAULTS = {
  merchants: DEFAULT_SYNTHETIC.merchants,
  customers: DEFAULT_SYNTHETIC.customers,
  items: DEFAULT_SYNTHETIC.items,
};

/**
 * Writes the seeded federation (the generator `tessera demo --recommend` runs, so the same seed and sizes give the
 * same merchants): customer tastes x item embeddings planted in R^kTrue, a Dirichlet split of the customers, partly
 * overlapping merchant catalogues.
 */
export function writeRecommendFiles(o: RecommendFilesOptions): RecommendFiles {
  const min = DEFAULT_SYNTHETIC.minCustomers;
  if (o.customers < o.merchants * min)
    throw new UsageError(
      `--customers ${o.customers} cannot give ${o.merchants} merchants ${min} customers each; ` +
        `give --customers ${o.merchants * min} or more, or fewer --merchants`,
    );
  const data = syntheticRecommendation(
    { merchants: o.merchants, customers: o.customers, items: o.items },
    seededRandom(`tessera-recommend-demo/${o.seed}`),
  );
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true });
  const files = data.rows.map((rows, m) => {
    const file = join(dir, `merchant-${m + 1}.csv`);
    const lines = rows.map((r) => `${r.customer},${r.item},${r.timestamp}`);
    writeFileSync(file, `customer_id,item_id,timestamp\n${lines.join('\n')}\n`);
    return file;
  });
  const catalogue = join(dir, 'catalogue.csv');
  writeFileSync(catalogue, `item_id\n${data.catalogue.ids.join('\n')}\n`);
  const spec = join(dir, 'recommend-job.json');
  writeFileSync(
    spec,
    `${JSON.stringify(
      {
        name: `recommend-synthetic-${o.seed}`,
        kind: 'recommend',
        dataset: 'interactions',
        columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
        catalogue: { file: 'catalogue.csv' },
        model: { algorithm: 'als', k: 8 },
        rounds: 10,
        evaluation: { holdOut: 'last' },
        minParticipants: 2,
      },
      null,
      2,
    )}\n`,
  );
  const readme = join(dir, 'README.md');
  writeFileSync(
    readme,
    [
      `# Synthetic recommendation federation (seed ${o.seed})`,
      '',
      `${o.merchants} merchants, ${o.customers} customers, ${o.items} items, written by tessera demo data --recommend.`,
      `Planted structure: items have embeddings in R^${data.truth.kTrue} and a popularity, customers a taste vector;`,
      'a customer buys (with repeats) from its merchant by the softmax of taste . embedding + popularity. Customers',
      'are split over the merchants by Dirichlet shares; each merchant sells a random 60% of the catalogue.',
      '',
      '- merchant-N.csv: customer_id, item_id, timestamp (one row per purchase; each customer at one merchant)',
      '- catalogue.csv: the public catalogue, one item_id per line, in the model order',
      '- recommend-job.json: a recommend job over data set "interactions" with this catalogue',
      '',
      'Serve merchant N with: tessera participant init ... --dataset interactions=merchant-N.csv',
      'Then: tessera job submit recommend-job.json --watch; tessera job result <id> --out model.json;',
      'tessera model recommend --model model.json --data merchant-1.csv --customer <id>',
      '',
    ].join('\n'),
  );
  return {
    dir,
    merchants: o.merchants,
    files,
    rows: data.rows.reduce((n, r) => n + r.length, 0),
    items: o.items,
    customers: o.customers,
    seed: o.seed,
    catalogue,
    spec,
    readme,
  };
}
