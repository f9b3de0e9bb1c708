// A training round on a 10^7-row Parquet data set, streamed through the participant's own functions in a child
// process, whose peak RSS must stay under 1 GiB (issue 21). The child runs the built output (`npm run test:slow`
// builds first).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalEngine } from '@tessera/engine';

const ROWS = 10_000_000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const GIB_IN_MIB = 1024;

/** The child: open the node's data, then SCHEMA, STATISTICS, one FIT round and EVALUATE; prints timings and RSS. */
const CHILD = `import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [root, path] = process.argv.slice(2);
const at = (p) => import(\`\${root}/participant/dist/\${p}\`);
const { LocalData } = await at('local-data.js');
const { schemaReport } = await at('local-compute.js');
const { localStatistics, localFit, localEvaluate } = await at('streaming/compute.js');
const proto = createRequire(\`\${root}/participant/package.json\`).resolve('@tessera/proto');
const { columnProfileToProto } = await import(pathToFileURL(proto).href);
const seconds = {};
let t = performance.now();
const lap = (name) => {
  const now = performance.now();
  seconds[name] = Number(((now - t) / 1000).toFixed(2));
  t = now;
};
const data = new LocalData({ orders: { type: 'parquet', path, exclude: [] } });
await data.open();
const inMemory = data.inMemory('orders');
const profiled = data.hasSummaries('orders');
lap('open');
const base = { ref: { jobId: 'memory', round: 1 }, dataset: 'orders', label: 'label' };
const schema = schemaReport(data, base);
lap('schema');
const features = schema.columns.map((c) => columnProfileToProto(c));
const stats = await localStatistics(data, { ...base, features });
lap('statistics');
const v = stats.vector;
const d = (v.length - 1) / 2;
const mean = [], std = [];
for (let j = 0; j < d; j++) {
  const mu = v[1 + j] / v[0];
  mean.push(mu);
  std.push(Math.sqrt(Math.max(1e-12, v[1 + d + j] / v[0] - mu * mu)));
}
const task = { ...base, features, modelLength: d + 1, mean, std,
  training: { seed: 'memory', validationFraction: 0.2, epochs: 1, batchSize: 256, learningRate: 0.1 } };
const global = new Float64Array(d + 1);
const fit = await localFit(data, task, global, 'p1');
lap('fit');
const params = global.map((g, j) => g + fit.vector[j]);
const evaluated = await localEvaluate(data, task, params, 'p1');
lap('evaluate');
await data.close();
console.log(JSON.stringify({
  inMemory, profiled, rows: schema.rows, seconds, examples: fit.numExamples, validation: evaluated.numExamples,
  auc: evaluated.metrics.auc, finite: Array.from(fit.vector).every(Number.isFinite),
  maxRssMiB: process.resourceUsage().maxRSS / 1024,
}));
`;

/** The rows: three numbers, a category and a 0/1 label drawn from a logistic model of them. */
function ordersSql(rows: number): string {
  const u = (k: number) => `((hash(i * 8 + ${k}) % 1000003) / 1000003.0)`;
  return `
    SELECT x1, x2, visits, region,
      CASE WHEN ${u(5)} < 1 / (1 + exp(-(1.5 * x1 - 0.3 * x2 + 0.04 * visits
        + CASE region WHEN 'north' THEN 0.8 WHEN 'south' THEN -0.8 ELSE 0 END + 1))) THEN 1 ELSE 0 END AS label
    FROM (
      SELECT i, round(${u(1)} * 4 - 2, 4) AS x1, round(${u(2)} * 10, 3) AS x2,
        CAST(${u(3)} * 50 AS INTEGER) AS visits,
        ['north', 'south', 'east', 'west'][1 + CAST(floor(${u(4)} * 4) AS INTEGER)] AS region
      FROM range(${rows}) t(i)
    )`;
}

let dir: string;
let parquet: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-streaming-memory-'));
  parquet = join(dir, 'orders.parquet');
  const engine = await LocalEngine.open();
  try {
    await engine.connection.run(`COPY (${ordersSql(ROWS)}) TO '${parquet}' (FORMAT parquet)`);
  } finally {
    await engine.close();
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a training round on 10^7 Parquet rows runs in under 1 GiB of RSS', async () => {
  if (!existsSync(join(ROOT, 'participant/dist/streaming/compute.js')))
    throw new Error('participant/dist is not built: run `npm run build` (npm run test:slow does) and try again');
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const started = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [script, ROOT, parquet], {
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    inMemory: boolean;
    profiled: boolean;
    rows: number;
    seconds: Record<string, number>;
    examples: number;
    validation: number;
    auc: number;
    finite: boolean;
    maxRssMiB: number;
  };
  const total = (performance.now() - started) / 1000;
  console.log(`streamed training round on ${ROWS} rows: ${total.toFixed(1)} s`, r.seconds, `${r.maxRssMiB} MiB`);
  expect(r.inMemory).toBe(false);
  expect(r.profiled).toBe(true);
  expect(r.rows).toBe(ROWS);
  expect(r.examples + r.validation).toBe(ROWS);
  expect(r.validation / ROWS).toBeGreaterThan(0.19);
  expect(r.validation / ROWS).toBeLessThan(0.21);
  expect(r.finite).toBe(true);
  expect(r.auc).toBeGreaterThan(0.8);
  expect(r.maxRssMiB).toBeLessThan(GIB_IN_MIB);
}, 900_000);
