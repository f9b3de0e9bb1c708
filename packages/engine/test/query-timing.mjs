// Timing of the engine's compiled queries against DuckDB's own plain SQL on the same file (not a test).
//   npx tsc -b packages/engine && node packages/engine/test/query-timing.mjs [ROWS] [DIR] [customers]
// Generates ROWS (default 10^7) synthetic orders as Parquet and CSV under DIR (default a temp directory), then times
// each query (best of 3) and prints the ratio to the plain SQL; `customers` adds one run of a customer-unit query in
// which most customers are over the cap (every one of their rows gets an HMAC in JavaScript).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuery, planQuery } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import { evaluateQuery, LocalEngine, quoteLiteral } from '../dist/index.js';

const rows = Number(process.argv[2] ?? 1e7);
const dir = process.argv[3] ?? mkdtempSync(join(tmpdir(), 'tessera-query-timing-'));
const withCustomers = process.argv[4] === 'customers';
/** About 50 orders a customer, so that most customers are over the customer unit's cap of 40. */
const customers = Math.max(1, Math.round(rows / 50));
const parquet = join(dir, `orders-${rows}-c${customers}.parquet`);
const csv = join(dir, `orders-${rows}-c${customers}.csv`);
const REGIONS = ['north', 'south', 'east', 'west', 'centre'];

const engine = await LocalEngine.open({ threads: 2, memoryLimit: '1GB' });
const conn = engine.connection;
const orders =
  `SELECT (['north','south','east','west','centre'])[1 + (hash(i) % 5)::INTEGER] AS region, ` +
  `round(random() * 6000, 2) AS order_value, (hash(i * 7) % ${customers})::VARCHAR AS customer ` +
  `FROM range(${rows}) t(i)`;
if (!existsSync(parquet)) await conn.run(`COPY (${orders}) TO ${quoteLiteral(parquet)} (FORMAT parquet)`);
if (!existsSync(csv))
  await conn.run(`COPY (SELECT * FROM read_parquet(${quoteLiteral(parquet)})) TO ${quoteLiteral(csv)} (HEADER)`);
await engine.register('parquet', { type: 'parquet', path: parquet });
await engine.register('csv', { type: 'csv', path: csv });

async function best(f) {
  let t = Infinity;
  for (let i = 0; i < 3; i++) {
    const s = performance.now();
    await f();
    t = Math.min(t, performance.now() - s);
  }
  return t;
}
const sql = (q) => () => conn.runAndReadAll(q);
const opts = { bounds: { order_value: [0, 5000] }, domains: { region: REGIONS } };
const groupPlan = planQuery(parseQuery('SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region'), opts);
const histPlan = planQuery(parseQuery('SELECT HISTOGRAM(order_value) FROM orders'), opts);
const customerPlan = planQuery(
  parseQuery('SELECT region, COUNT(*), AVG(order_value) FROM orders GROUP BY region'),
  opts,
  { unit: 'customer', userColumn: 'customer', maxRowsPerUser: 40 },
);
const run = (name, plan) => () => evaluateQuery(engine, name, plan, seededRandom('timing'));

console.log(`rows ${rows}, threads 2`);
for (const [format, file, read] of [
  ['parquet', parquet, `read_parquet(${quoteLiteral(parquet)})`],
  ['csv', csv, `read_csv(${quoteLiteral(csv)}, all_varchar = true)`],
]) {
  const plain = await best(sql(`SELECT region, count(*), avg(order_value::DOUBLE) FROM ${read} GROUP BY region`));
  const plainHist = await best(
    sql(`SELECT least(floor(order_value::DOUBLE / 156.25), 31) AS b, count(*) FROM ${read} GROUP BY b`),
  );
  const group = await best(run(format, groupPlan));
  const hist = await best(run(format, histPlan));
  let customer = Number.NaN;
  if (withCustomers) {
    const s = performance.now();
    await run(format, customerPlan)();
    customer = performance.now() - s;
  }
  const r = { format, plain, group, ratio: group / plain, plainHist, hist, histRatio: hist / plainHist, customer };
  void file;
  console.log(
    `${r.format}: GROUP BY plain ${r.plain.toFixed(0)} ms, engine ${r.group.toFixed(0)} ms (x${r.ratio.toFixed(2)}); ` +
      `histogram plain ${r.plainHist.toFixed(0)} ms, engine ${r.hist.toFixed(0)} ms (x${r.histRatio.toFixed(2)}); ` +
      `customer unit (most customers over the cap) ${r.customer.toFixed(0)} ms`,
  );
}
await engine.close();
