// `node bench/dist/main.js recommend`: the joint recommendation benchmarks of issue 22.
// 1. Local throughput (library only): ALS and BPR at k = 32 and 8 on one merchant of 50,000 customers, 10^4 items
//    and about 12 purchases each, interactions per second on one thread (local-throughput.ts).
// 2. The service path: masked BPR recommend jobs over gRPC with the coordinator in its own process (service-run.ts):
//    10^5 items x k = 32 with 20 merchants (round latency, stage split, coordinator peak RSS), then 5 merchants at
//    the same d and 20 at d / 4 (memory O(d): the ratio and the slope per value).
// TESSERA_BENCH_RECOMMEND_QUICK=1: small sizes, seconds (what bench/test runs).
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { canReadProcMemory } from '../proc-memory.js';
import { fixed } from '../stats.js';
import { benchTable } from '../table.js';
import { type LocalThroughputOptions, type LocalThroughputReport, runLocalThroughput } from './local-throughput.js';
import { runRecommendService, type ServiceConfig, type ServiceRun } from './service-run.js';

type ServiceShape = Pick<ServiceConfig, 'merchants' | 'items'>;

export interface RecommendBenchOptions {
  local: LocalThroughputOptions;
  service: Omit<ServiceConfig, 'merchants' | 'items' | 'log'> & {
    /** The first is the headline run; the O(d) comparisons look for the same d at fewer merchants and d / 4. */
    runs: ServiceShape[];
  };
}

export const RECOMMEND_DEFAULTS: RecommendBenchOptions = {
  local: {
    merchant: { customers: 50_000, items: 10_000, interactionsPerCustomer: 12 },
    algorithms: ['als', 'bpr'],
    ks: [32, 8],
    rounds: 3,
    seed: 'bench-recommend',
  },
  service: {
    k: 32,
    rounds: 3,
    customersPerMerchant: 100,
    interactionsPerCustomer: 12,
    workers: 4,
    uploadSlots: 4,
    seed: 'bench-recommend',
    runs: [
      { merchants: 20, items: 100_000 },
      { merchants: 5, items: 100_000 },
      { merchants: 20, items: 25_000 },
    ],
  },
};

/** Seconds in all: TESSERA_BENCH_RECOMMEND_QUICK=1 and bench/test. */
export const RECOMMEND_QUICK: RecommendBenchOptions = {
  local: {
    ...RECOMMEND_DEFAULTS.local,
    merchant: { customers: 2000, items: 500, interactionsPerCustomer: 12 },
    rounds: 1,
  },
  service: {
    ...RECOMMEND_DEFAULTS.service,
    k: 8,
    rounds: 2,
    customersPerMerchant: 20,
    workers: 2,
    runs: [
      { merchants: 4, items: 2000 },
      { merchants: 2, items: 2000 },
      { merchants: 4, items: 500 },
    ],
  },
};

/** How peak coordinator memory scales: with merchants at one d (ratio), and with d (MiB per 10^6 values). */
export interface MemoryScaling {
  /** Peak RSS at the headline's merchants over peak RSS at fewer merchants, same d. */
  merchantsRatio?: { merchants: [number, number]; peakRssMiB: [number, number]; ratio: number };
  /** (peak(d) - peak(d')) / (d - d') at the headline's merchants: bytes of coordinator RSS per vector value. */
  slope?: { updateLengths: [number, number]; peakRssMiB: [number, number]; bytesPerValue: number };
}

export interface RecommendBenchReport {
  benchmark: 'recommend';
  date: string;
  machine: MachineInfo;
  command: string;
  quick: boolean;
  options: RecommendBenchOptions;
  local: LocalThroughputReport;
  service: ServiceRun[];
  memory: MemoryScaling;
  pass: boolean;
  totalSeconds: number;
}

/** The O(d) figures from the runs: the headline against a run with fewer merchants and one with a shorter vector. */
export function memoryScaling(runs: readonly ServiceRun[]): MemoryScaling {
  const head = runs[0];
  if (!head) return {};
  const fewer = runs.find((r) => r.updateLength === head.updateLength && r.merchants < head.merchants);
  const shorter = runs.find((r) => r.merchants === head.merchants && r.updateLength < head.updateLength);
  const peak = (r: ServiceRun) => r.coordinator.jobPeakRssMiB;
  return {
    ...(fewer
      ? {
          merchantsRatio: {
            merchants: [head.merchants, fewer.merchants],
            peakRssMiB: [peak(head), peak(fewer)],
            ratio: fixed(peak(head) / peak(fewer), 2),
          },
        }
      : {}),
    ...(shorter
      ? {
          slope: {
            updateLengths: [head.updateLength, shorter.updateLength],
            peakRssMiB: [peak(head), peak(shorter)],
            bytesPerValue: fixed(
              ((peak(head) - peak(shorter)) * 1024 * 1024) / (head.updateLength - shorter.updateLength),
              1,
            ),
          },
        }
      : {}),
  };
}

export async function runRecommendBench(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  command = 'node bench/dist/main.js recommend',
): Promise<RecommendBenchReport> {
  const started = performance.now();
  const date = new Date().toISOString();
  const machine = machineInfo();
  if (!canReadProcMemory())
    throw new Error("the recommend benchmark reads the coordinator's memory from /proc: it runs on Linux only");
  const quick = env.TESSERA_BENCH_RECOMMEND_QUICK === '1';
  const o = quick ? RECOMMEND_QUICK : RECOMMEND_DEFAULTS;
  log(`recommend benchmark${quick ? ' (quick)' : ''} on ${describeMachine(machine)}`);
  const local = runLocalThroughput(o.local, log);
  const service: ServiceRun[] = [];
  const { runs, ...settings } = o.service;
  for (const shape of runs) {
    log(`service: ${shape.merchants} merchants, ${shape.items} items, k = ${settings.k}, masked BPR`);
    const run = await runRecommendService({ ...settings, ...shape, log });
    log(
      `${shape.merchants} merchants x ${run.updateLength} values: round ${run.roundSecondsMedian} s, ` +
        `coordinator peak ${run.coordinator.jobPeakRssMiB} MiB`,
    );
    service.push(run);
  }
  return {
    benchmark: 'recommend',
    date,
    machine,
    command: quick ? `TESSERA_BENCH_RECOMMEND_QUICK=1 ${command}` : command,
    quick,
    options: o,
    local,
    service,
    memory: memoryScaling(service),
    // Nothing fails on a timing: the part passes when every job completed with every merchant in its sums.
    pass: service.every((r) => r.contributors === r.merchants && r.roundSeconds.length === r.rounds),
    totalSeconds: fixed((performance.now() - started) / 1000, 1),
  };
}

export function renderRecommendBench(r: RecommendBenchReport): string {
  const m = r.local.merchant;
  const scaling = r.memory;
  return [
    `Joint recommendation (issue 22), ${r.date}${r.quick ? ' (quick sizes)' : ''}`,
    `machine: ${describeMachine(r.machine)}`,
    '',
    `Local round, one thread: ${m.customers} customers, ${m.items} items, ${m.interactions} interactions ` +
      `(${m.rows} rows), median of ${r.local.rounds} rounds after a warm-up`,
    benchTable(
      ['algorithm', 'k', 'update length', 'customer s', 'item s', 'round s', 'interactions/s', 'per CPU s', 'apply s'],
      r.local.results.map((x) => [
        x.algorithm,
        x.k,
        x.updateLength,
        x.customerStep.seconds,
        x.itemUpdate.seconds,
        x.localRound.seconds,
        x.localRound.interactionsPerSecond,
        x.localRound.interactionsPerCpuSecond,
        x.coordinatorStepSeconds,
      ]),
    ),
    '',
    'Service path, masked BPR over gRPC (coordinator in its own process), median round and SecAgg+ stages (s)',
    benchTable(
      [
        'merchants',
        'items',
        'values',
        'words',
        'round s',
        'advertise',
        'share keys',
        'masked input',
        'consistency',
        'unmask',
        'peak MiB',
        'plain s',
        'masked/plain',
      ],
      r.service.map((x) => [
        x.merchants,
        x.items,
        x.updateLength,
        x.dimension,
        x.roundSecondsMedian,
        x.stageSeconds.advertise,
        x.stageSeconds.shareKeys,
        x.stageSeconds.maskedInput,
        x.stageSeconds.consistency,
        x.stageSeconds.unmask,
        x.coordinator.jobPeakRssMiB,
        x.plainRoundSeconds,
        x.maskedOverPlain,
      ]),
    ),
    scaling.merchantsRatio
      ? `coordinator peak RSS, ${scaling.merchantsRatio.merchants.join(' vs ')} merchants at the same d: ` +
        `${scaling.merchantsRatio.ratio}x`
      : 'no run at the same d with fewer merchants',
    scaling.slope
      ? `coordinator peak RSS per vector value (${scaling.slope.updateLengths.join(' vs ')} values): ` +
        `${scaling.slope.bytesPerValue} bytes`
      : 'no run at a shorter vector',
    `every job completed with every merchant in its sums: ${r.pass ? 'yes' : 'NO'}`,
  ].join('\n');
}
