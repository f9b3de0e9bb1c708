// `npm run bench`: runs every benchmark with its defaults, writes bench-results/<name>.json and
// prints a summary. Arguments name a subset: node bench/dist/main.js foundation
// Parts: foundation, secagg, dp, he, analytics, payouts, transport, mlp, mlp-rounds, tfjs-federated, vertical,
// console, data, recommend, sales.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FOUNDATION_DEFAULTS, renderFoundation, runFoundation } from './foundation.js';
import { stderrLog } from './log.js';
import { SECAGG_GRID, runSecAggGrid, renderSecAggGrid } from './secagg/grid.js';
import { renderDpBench, runDpBench } from './dp/dp-bench.js';
import { renderHeBench, runHeBenchSuite } from './he/suite.js';
import { renderAnalyticsBench, runAnalyticsBench } from './analytics/analytics-bench.js';
import { renderPayoutsBench, runPayoutsBench } from './payouts/payouts-bench.js';
import { renderTransportBench, runTransportBench } from './transport-bench.js';
import { renderMlpThroughput, runMlpThroughput } from './ml/mlp-throughput.js';
import { renderMlpRounds, runMlpRounds } from './ml/mlp-rounds.js';
import { renderTfjsFederated, runTfjsFederated } from './ml/tfjs-federated.js';
import { renderVerticalBench, runVerticalBench } from './vertical/vertical-bench.js';
import { renderConsoleBench, runConsoleBench } from './console/console-bench.js';
import { renderDataBench, runDataBench } from './data/data-bench.js';
import { renderRecommendBench, runRecommendBench } from './recommend/recommend-bench.js';
import { renderSalesBench, runSalesBench } from './sales/sales-bench.js';

interface Benchmark {
  name: string;
  run(): Promise<{ pass: boolean }>;
  render(report: never): string;
}

const BENCHMARKS: Benchmark[] = [
  {
    name: 'foundation',
    run: () => runFoundation({ ...FOUNDATION_DEFAULTS, command: 'npm run bench', log: stderrLog('foundation') }),
    render: renderFoundation as (r: never) => string,
  },
  {
    name: 'secagg',
    run: async () => runSecAggGrid(SECAGG_GRID, stderrLog('secagg')),
    render: renderSecAggGrid as (r: never) => string,
  },
  {
    name: 'dp',
    run: () => runDpBench(stderrLog('dp')),
    render: renderDpBench as (r: never) => string,
  },
  {
    name: 'he',
    run: () => runHeBenchSuite(stderrLog('he')),
    render: renderHeBench as (r: never) => string,
  },
  {
    name: 'analytics',
    run: () => runAnalyticsBench(stderrLog('analytics')),
    render: renderAnalyticsBench as (r: never) => string,
  },
  {
    name: 'payouts',
    run: () => runPayoutsBench(stderrLog('payouts')),
    render: renderPayoutsBench as (r: never) => string,
  },
  {
    name: 'transport',
    run: () => runTransportBench(stderrLog('transport')),
    render: renderTransportBench as (r: never) => string,
  },
  {
    name: 'mlp',
    run: () => runMlpThroughput(stderrLog('mlp')),
    render: renderMlpThroughput as (r: never) => string,
  },
  {
    name: 'mlp-rounds',
    run: () => runMlpRounds(stderrLog('mlp-rounds')),
    render: renderMlpRounds as (r: never) => string,
  },
  {
    name: 'tfjs-federated',
    run: () => runTfjsFederated(stderrLog('tfjs-federated')),
    render: renderTfjsFederated as (r: never) => string,
  },
  {
    name: 'vertical',
    run: () => runVerticalBench(stderrLog('vertical')),
    render: renderVerticalBench as (r: never) => string,
  },
  {
    name: 'console',
    run: () => runConsoleBench(stderrLog('console')),
    render: renderConsoleBench as (r: never) => string,
  },
  {
    name: 'data',
    run: () => runDataBench(stderrLog('data')),
    render: renderDataBench as (r: never) => string,
  },
  {
    name: 'recommend',
    run: () => runRecommendBench(stderrLog('recommend')),
    render: renderRecommendBench as (r: never) => string,
  },
  {
    name: 'sales',
    run: () => runSalesBench(stderrLog('sales')),
    render: renderSalesBench as (r: never) => string,
  },
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
  if (unknown.length)
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const dir = resolve('bench-results');
  mkdirSync(dir, { recursive: true });
  const summaries: string[] = [];
  for (const b of BENCHMARKS.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
    const report = await b.run();
    const file = join(dir, `${b.name}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    );
    summaries.push(`${b.render(report as never)}\nwritten to ${file}`);
  }
  process.stdout.write(`\n${summaries.join('\n\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `bench failed: ${e instanceof Error ? (process.env.TESSERA_DEBUG ? e.stack : e.message) : String(e)}\n`,
  );
  process.exitCode = 1;
});
