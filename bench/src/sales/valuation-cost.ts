// The sales part's valuation cost: the market-insight report under distributed DP, each query run with and without
// `valuation: records` on the same federation, timed from the client (submit to completed), with the report's noise
// (the result rows' stddev per value), the counts' noise (result.valuation.noiseStd, in rows) and the members' noisy
// counts against their exact counts (the same query with valuation and no DP, as each node counts).
import { parseQuery, planQuery } from '@tessera/analytics';
import { valuationNoiseFactor } from '@tessera/jobs';
import { runQuery, type LocalFederation, type QueryJobResult } from '@tessera/sdk';
import { fixed, median, secondsSince } from '../stats.js';
import { MARKET_INSIGHT } from './merchants.js';

export interface ValuationCostOptions {
  epsilon: number;
  delta: number;
  repetitions: number;
}

/** One run of one query. */
export interface ValuationRun {
  query: number;
  valuation: boolean;
  repetition: number;
  seconds: number;
  /** Median of the result rows' stddev values (the report's noise per value, in its own units). */
  reportNoiseStd: number;
  /** With valuation: result.valuation.noiseStd (rows) and each member's noisy count. */
  countNoiseStd?: number;
  counts?: { participant: string; value: number }[];
  job: string;
}

/** One query's figures over its runs. */
export interface ValuationQuery {
  query: number;
  title: string;
  sql: string;
  /** Groups of the plan (a member's count is summed over max(1, groups) noisy counts). */
  groups: number;
  secondsWithout: number;
  secondsWith: number;
  /** secondsWith / secondsWithout (medians). */
  timeRatio: number;
  reportNoiseStdWithout: number;
  reportNoiseStdWith: number;
  /** reportNoiseStdWith / reportNoiseStdWithout. */
  noiseRatio: number;
  /** valuationNoiseFactor(plan): sqrt(r^2 + 1) / r. */
  valuationNoiseFactor: number;
  /** The counts' noise std in rows, as the result states it. */
  countNoiseStd: number;
  /** Each member's exact row count (the exact run's valuation), by participant id. */
  exactCounts: Record<string, number>;
  /** |noisy - exact| / exact over every member and repetition. */
  relativeError: { median: number; max: number; samples: number };
  /** RMS of (noisy - exact) in rows, over every member and repetition. */
  rmsErrorRows: number;
}

/** The median of the numeric stddev values of a result's rows (NaN when the result states none). */
function reportStd(r: QueryJobResult): number {
  const stds = r.rows.flatMap((row) => Object.values(row.stddev).filter((v) => Number.isFinite(v)));
  return median(stds);
}

/**
 * Runs each market-insight query once exactly with valuation (the true counts; also the warm-up), then
 * `repetitions` times under distributed DP without and with valuation (the order alternating per repetition).
 */
export async function runValuationCost(
  fed: LocalFederation,
  domains: Record<string, string[]>,
  o: ValuationCostOptions,
  log: (line: string) => void,
): Promise<{ queries: ValuationQuery[]; runs: ValuationRun[]; jobsWithValuation: string[] }> {
  const participants = fed.participants.length;
  const base = {
    bounds: MARKET_INSIGHT.bounds,
    domains,
    minParticipants: participants,
    roundTimeoutSeconds: 60,
    waitForParticipantsSeconds: 60,
  };
  const runs: ValuationRun[] = [];
  const queries: ValuationQuery[] = [];
  for (const [q, sql] of MARKET_INSIGHT.queries.entries()) {
    const exact = await runQuery(fed.analyst, { ...base, sql, privacy: { mode: 'none' }, valuation: 'records' });
    const exactCounts = Object.fromEntries(
      (exact.result.valuation?.members ?? []).map((m) => [m.participant, m.value]),
    );
    if (Object.keys(exactCounts).length !== participants)
      throw new Error(
        `query ${q + 1}'s exact valuation has ${Object.keys(exactCounts).length} members, not ${participants}`,
      );
    for (let r = 0; r < o.repetitions; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      for (const valuation of order) {
        const t = performance.now();
        const { job, result } = await runQuery(fed.analyst, {
          ...base,
          sql,
          privacy: { mode: 'distributed', epsilon: o.epsilon, delta: o.delta },
          ...(valuation ? { valuation: 'records' as const } : {}),
        });
        const seconds = secondsSince(t);
        if (valuation && result.valuation?.members.length !== participants)
          throw new Error(`job ${job.id} released ${result.valuation?.members.length ?? 0} members' counts`);
        runs.push({
          query: q,
          valuation,
          repetition: r,
          seconds: fixed(seconds, 3),
          reportNoiseStd: reportStd(result),
          ...(valuation && result.valuation
            ? { countNoiseStd: result.valuation.noiseStd, counts: result.valuation.members }
            : {}),
          job: job.id,
        });
        log(
          `valuation: query ${q + 1} rep ${r + 1} ${valuation ? 'with' : 'without'} valuation: ${seconds.toFixed(2)} s`,
        );
      }
    }
    const mine = runs.filter((x) => x.query === q);
    const without = mine.filter((x) => !x.valuation);
    const withV = mine.filter((x) => x.valuation);
    const errors: number[] = [];
    const diffs: number[] = [];
    for (const x of withV)
      for (const m of x.counts ?? []) {
        const exactCount = exactCounts[m.participant]!;
        errors.push(Math.abs(m.value - exactCount) / exactCount);
        diffs.push(m.value - exactCount);
      }
    const plan = planQuery(parseQuery(sql), { bounds: base.bounds, domains, minCount: 0 });
    const secondsWithout = median(without.map((x) => x.seconds));
    const secondsWith = median(withV.map((x) => x.seconds));
    const stdWithout = median(without.map((x) => x.reportNoiseStd));
    const stdWith = median(withV.map((x) => x.reportNoiseStd));
    queries.push({
      query: q,
      title: MARKET_INSIGHT.titles[q]!,
      sql,
      groups: plan.groups.count,
      secondsWithout: fixed(secondsWithout, 3),
      secondsWith: fixed(secondsWith, 3),
      timeRatio: fixed(secondsWith / secondsWithout, 3),
      reportNoiseStdWithout: fixed(stdWithout, 4),
      reportNoiseStdWith: fixed(stdWith, 4),
      noiseRatio: fixed(stdWith / stdWithout, 4),
      valuationNoiseFactor: fixed(valuationNoiseFactor(plan), 4),
      countNoiseStd: fixed(median(withV.map((x) => x.countNoiseStd ?? Number.NaN)), 3),
      exactCounts,
      relativeError: {
        median: fixed(median(errors), 5),
        max: fixed(Math.max(...errors), 5),
        samples: errors.length,
      },
      rmsErrorRows: fixed(Math.sqrt(diffs.reduce((s, d) => s + d * d, 0) / diffs.length), 2),
    });
  }
  // The product is listed from the first repetition's jobs with valuation, one per query.
  const jobsWithValuation = MARKET_INSIGHT.queries.map(
    (_, q) => runs.find((x) => x.query === q && x.valuation && x.repetition === 0)!.job,
  );
  return { queries, runs, jobsWithValuation };
}
