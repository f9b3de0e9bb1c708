// @tessera/bench: the benchmarks behind `npm run bench` (main.ts) and `tessera bench` (benchApi, which
// the CLI loads on demand; see packages/cli/src/bench-api.ts). Private: never published, and the only
// package that needs paillier-bigint (the HE comparison).
import type { BenchApi } from '@tessera/cli/bench-api';
import { renderFoundation, runFoundation } from './foundation.js';
import { renderHeTable, runHeBench } from './he/suite.js';
import { renderLoad, runLoadBench } from './load/load-bench.js';
import { stderrLog } from './log.js';
import { renderSecAggRounds } from './secagg/grid.js';
import { measureSecAggRound } from './secagg/round.js';

export const benchApi: BenchApi = {
  async foundation(o) {
    const report = await runFoundation(o);
    return { report, text: renderFoundation(report) };
  },
  secagg(sizes, drop) {
    const rows = sizes.map((s) => measureSecAggRound(s.participants, s.dimension, drop));
    return { rows, text: renderSecAggRounds(rows) };
  },
  async he(size, log) {
    const figures = await runHeBench(size, log);
    return { figures, text: renderHeTable([figures]) };
  },
  async load(o) {
    const report = await runLoadBench(o);
    return { report, text: renderLoad(report) };
  },
  stderrLog,
};

export { FOUNDATION_DEFAULTS, renderFoundation, runFoundation, type FoundationOptions } from './foundation.js';
export { HE_BENCH_SIZES, HE_TARGETS, renderHeBench, renderHeTable, runHeBench, runHeBenchSuite } from './he/suite.js';
export { measureHe } from './he/he-bench.js';
export { measureSealedRound } from './he/sealed-round.js';
export { SECAGG_GRID, renderSecAggGrid, renderSecAggRounds, runSecAggGrid } from './secagg/grid.js';
export { measureSecAggRound, type SecAggRoundFigures } from './secagg/round.js';
export { renderDpBench, runDpBench } from './dp/dp-bench.js';
export { renderAnalyticsBench, runAnalyticsBench } from './analytics/analytics-bench.js';
export { PAYOUTS_DEFAULTS, renderPayoutsBench, runPayoutsBench, runPayoutsBenchWith } from './payouts/payouts-bench.js';
export { stderrLog } from './log.js';
export { LOAD_DEFAULTS, renderLoad, runLoadBench, type LoadReport } from './load/load-bench.js';
