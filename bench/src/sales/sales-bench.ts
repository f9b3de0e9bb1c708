// `node bench/dist/main.js sales`: the data-trust sales of issue 23.
// 1. What valuation costs a report: the market-insight queries under distributed DP with and without
//    `valuation: records` on a LocalFederation of synthetic merchants (valuation-cost.ts).
// 2. What a sale costs: the report listed as a product, sales and refunds through the client, on that federation and
//    on one of 20 merchants; splitSale and splitRefund alone at 10 to 1,000 members (sale-cost.ts, split-timing.ts).
// 3. The ledger tools at scale: a signed v3 ledger of 10,000 sales and 1,000 refunds, verified, reconciled, a
//    member's monthly statement and its receipts checked (ledger-scale.ts).
// TESSERA_BENCH_SALES_QUICK=1: small sizes, seconds (what bench/test runs).
import { runQuery } from '@tessera/sdk';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { fixed, secondsSince } from '../stats.js';
import { benchTable } from '../table.js';
import { runLedgerScale, type LedgerScaleOptions, type LedgerScaleReport } from './ledger-scale.js';
import { MARKET_INSIGHT, merchantsData, withFederation } from './merchants.js';
import { runSaleCost, type SaleCost, type SaleCostOptions } from './sale-cost.js';
import { timeSplits, type SplitTiming } from './split-timing.js';
import {
  runValuationCost,
  type ValuationCostOptions,
  type ValuationQuery,
  type ValuationRun,
} from './valuation-cost.js';

export interface SalesBenchOptions {
  merchants: number;
  customersPerMerchant: number;
  seed: number;
  valuation: ValuationCostOptions;
  sales: SaleCostOptions;
  /** The larger federation's merchants (0: none); it runs the first market-insight query with valuation only. */
  largeMerchants: number;
  splitMembers: number[];
  ledger: LedgerScaleOptions;
}

export const SALES_DEFAULTS: SalesBenchOptions = {
  merchants: 5,
  customersPerMerchant: 600,
  seed: 7,
  valuation: { epsilon: 1, delta: 1e-6, repetitions: 3 },
  sales: { sales: 10, refunds: 5, price: 120_000, currency: 'EUR' },
  largeMerchants: 20,
  splitMembers: [10, 100, 1000],
  ledger: { sales: 10_000, membersPerSale: 8, members: 40, refunds: 1000, year: 2026, statementMonth: 6 },
};

/** Seconds in all: TESSERA_BENCH_SALES_QUICK=1 and bench/test. */
export const SALES_QUICK: SalesBenchOptions = {
  ...SALES_DEFAULTS,
  merchants: 3,
  customersPerMerchant: 200,
  valuation: { ...SALES_DEFAULTS.valuation, repetitions: 1 },
  sales: { ...SALES_DEFAULTS.sales, sales: 3, refunds: 2 },
  largeMerchants: 0,
  splitMembers: [10, 100],
  ledger: { ...SALES_DEFAULTS.ledger, sales: 200, members: 16, refunds: 20 },
};

export interface SalesBenchReport {
  benchmark: 'sales';
  date: string;
  machine: MachineInfo;
  command: string;
  quick: boolean;
  options: SalesBenchOptions;
  federation: { merchants: number; rows: number[]; startSeconds: number };
  valuation: { queries: ValuationQuery[]; runs: ValuationRun[] };
  sales: SaleCost[];
  largeFederation: { merchants: number; startSeconds: number; querySeconds: number; seconds: number } | null;
  splits: SplitTiming[];
  ledger: LedgerScaleReport;
  pass: boolean;
  totalSeconds: number;
}

export async function runSalesBench(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  command = 'node bench/dist/main.js sales',
): Promise<SalesBenchReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  const quick = env.TESSERA_BENCH_SALES_QUICK === '1';
  const o = quick ? SALES_QUICK : SALES_DEFAULTS;
  log(`sales benchmark${quick ? ' (quick)' : ''} on ${describeMachine(machine)}`);

  const small = merchantsData(o.merchants, o.customersPerMerchant, o.seed, MARKET_INSIGHT.queries);
  const sales: SaleCost[] = [];
  const { federation, valuation } = await withFederation(small.shards, async (fed, startSeconds) => {
    log(`federation: ${o.merchants} merchants started in ${startSeconds.toFixed(1)} s`);
    const v = await runValuationCost(fed, small.domains, o.valuation, log);
    sales.push(await runSaleCost(fed, v.jobsWithValuation, o.sales, log));
    return {
      federation: {
        merchants: o.merchants,
        rows: small.shards.map((s) => s.rows.length),
        startSeconds: fixed(startSeconds, 2),
      },
      valuation: { queries: v.queries, runs: v.runs },
    };
  });

  let largeFederation: SalesBenchReport['largeFederation'] = null;
  if (o.largeMerchants > 0) {
    const t = performance.now();
    const sql = MARKET_INSIGHT.queries[0]!;
    const large = merchantsData(o.largeMerchants, o.customersPerMerchant, o.seed, [sql]);
    largeFederation = await withFederation(large.shards, async (fed, startSeconds) => {
      log(`federation: ${o.largeMerchants} merchants started in ${startSeconds.toFixed(1)} s`);
      const q = performance.now();
      const { job } = await runQuery(fed.analyst, {
        sql,
        bounds: MARKET_INSIGHT.bounds,
        domains: large.domains,
        minParticipants: o.largeMerchants,
        roundTimeoutSeconds: 60,
        waitForParticipantsSeconds: 60,
        privacy: { mode: 'distributed', epsilon: o.valuation.epsilon, delta: o.valuation.delta },
        valuation: 'records',
      });
      const querySeconds = secondsSince(q);
      sales.push(await runSaleCost(fed, [job.id], o.sales, log));
      return {
        merchants: o.largeMerchants,
        startSeconds: fixed(startSeconds, 2),
        querySeconds: fixed(querySeconds, 2),
        seconds: fixed(secondsSince(t), 1),
      };
    });
  }

  log(`splits: splitSale and splitRefund at ${o.splitMembers.join(', ')} members`);
  const splits = timeSplits(o.splitMembers);
  const ledger = runLedgerScale(o.ledger, log);
  return {
    benchmark: 'sales',
    date,
    machine,
    command: quick ? `TESSERA_BENCH_SALES_QUICK=1 ${command}` : command,
    quick,
    options: o,
    federation,
    valuation,
    sales,
    largeFederation,
    splits,
    ledger,
    // Nothing fails on a timing: every member valued, every sale made and reconciled, the ledger tools agreeing.
    pass:
      valuation.queries.every((q) => q.relativeError.samples === o.merchants * o.valuation.repetitions) &&
      sales.every((s) => s.saleSeconds.length === o.sales.sales && s.ledger.verified && s.ledger.balanced) &&
      ledger.verify.ok &&
      ledger.reconcile.balanced &&
      ledger.receipts.ok,
    totalSeconds: fixed(secondsSince(started), 1),
  };
}

export function renderSalesBench(r: SalesBenchReport): string {
  const v = r.options.valuation;
  const l = r.ledger;
  return [
    `Data-trust sales (issue 23), ${r.date}${r.quick ? ' (quick sizes)' : ''}`,
    `machine: ${describeMachine(r.machine)}`,
    '',
    `Valuation cost: market-insight report, ${r.federation.merchants} merchants (${r.federation.rows.join(', ')} ` +
      `rows), distributed DP epsilon ${v.epsilon}, delta ${v.delta}, median of ${v.repetitions} runs`,
    benchTable(
      [
        'query',
        'groups',
        's without',
        's with',
        'time ratio',
        'report std without',
        'with',
        'noise ratio',
        'factor',
        'count std (rows)',
        'rel. err median',
        'max',
        'RMS rows',
      ],
      r.valuation.queries.map((q) => [
        q.title,
        q.groups,
        q.secondsWithout,
        q.secondsWith,
        q.timeRatio,
        q.reportNoiseStdWithout,
        q.reportNoiseStdWith,
        q.noiseRatio,
        q.valuationNoiseFactor,
        q.countNoiseStd,
        q.relativeError.median,
        q.relativeError.max,
        q.rmsErrorRows,
      ]),
    ),
    '',
    'Sales through the client (consent round, split, ledger append, receipts), seconds',
    benchTable(
      ['members', 'list s', 'sales', 'sale median', 'sale p90', 'refunds', 'refund median', 'refund p90', 'ledger'],
      r.sales.map((s) => [
        s.members,
        s.productSeconds,
        s.saleSeconds.length,
        s.sale.median,
        s.sale.p90,
        s.refundSeconds.length,
        s.refund.median,
        s.refund.p90,
        `${s.ledger.entries} entries, ${s.ledger.verified && s.ledger.balanced ? 'balanced' : 'NOT BALANCED'}`,
      ]),
    ),
    r.largeFederation
      ? `${r.largeFederation.merchants} merchants: started in ${r.largeFederation.startSeconds} s, the query with ` +
        `valuation ${r.largeFederation.querySeconds} s, ${r.largeFederation.seconds} s in all`
      : 'no larger federation',
    '',
    'splitSale and splitRefund alone (microseconds per call, median of 5 batches)',
    benchTable(
      ['members', 'calls/batch', 'splitSale us', 'splitRefund us'],
      r.splits.map((s) => [s.members, s.calls, s.saleMicroseconds, s.refundMicroseconds]),
    ),
    '',
    `Ledger tools: ${l.entries} entries (${l.options.sales} sales x (1 + ${l.options.membersPerSale}), ` +
      `${l.options.refunds} refunds), ${(l.bytes / 2 ** 20).toFixed(1)} MiB of JSON Lines`,
    benchTable(
      ['tool', 'seconds', 'entries/s', 'result'],
      [
        ['appendEntries (sign)', l.sign.seconds, l.sign.entriesPerSecond, ''],
        ['verifyLedger', l.verify.seconds, l.verify.entriesPerSecond, l.verify.ok ? 'ok' : 'FAILED'],
        ['parse lines', l.parse.seconds, l.parse.entriesPerSecond, ''],
        [
          'reconcileLedger',
          l.reconcile.seconds,
          l.reconcile.entriesPerSecond,
          `${l.reconcile.sales} sales, ${l.reconcile.balanced ? 'balanced' : 'NOT BALANCED'}`,
        ],
        [
          'memberStatement',
          l.statement.seconds,
          l.statement.entriesPerSecond,
          `${l.statement.member} ${l.statement.from}..${l.statement.to}: ${l.statement.entries} entries`,
        ],
        [
          'memberStatement, year',
          l.yearStatement.seconds,
          l.yearStatement.entriesPerSecond,
          `${l.yearStatement.from}..${l.yearStatement.to}: ${l.yearStatement.entries} entries, ` +
            `${l.yearStatement.sales} sales`,
        ],
        [
          'checkStatementReceipts',
          l.receipts.seconds,
          l.receipts.entriesPerSecond,
          `${l.receipts.receipts} receipts (${l.receipts.perReceiptMs} ms each), ${l.receipts.matched} matched, ` +
            `${l.receipts.ok ? 'ok' : 'PROBLEMS'}`,
        ],
      ],
    ),
    `every member valued, every sale reconciled, the ledger tools agreeing: ${r.pass ? 'yes' : 'NO'}`,
    `total ${r.totalSeconds} s`,
  ].join('\n');
}
