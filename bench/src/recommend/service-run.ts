// The recommend benchmark's service half (issue 22): one masked BPR recommend job over real gRPC on loopback, the
// coordinator in its own process (`tessera coordinator start`, TLS) so that its peak RSS is its own, the merchants
// as real ParticipantNodes in the load harness's worker processes (load/worker-pool.ts), each with a small
// interactions table: a round's cost is the item vector (items x (k + 1) values, 4 ring words each), not the rows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CustomerFactors,
  type InteractionRow,
  type ItemFactors,
  algorithmFromSpec,
  initItemFactors,
  interactionsFrom,
  seededRandom,
} from '@tessera/recommend';
import { connectLocalAnalyst } from '@tessera/sdk';
import { enrolBenchParticipants } from '../bench-enrol.js';
import { CoordinatorProcess } from '../coordinator-process.js';
import { STAGE_METRICS, type StageSeconds } from '../load/load-run.js';
import { WorkerPool } from '../load/worker-pool.js';
import { procCpuSeconds } from '../proc-cpu.js';
import { RssSampler } from '../proc-memory.js';
import { fixed, kibToMiB, median } from '../stats.js';
import { withTimeout } from '../with-timeout.js';
import { benchCatalogue, benchItemIds, merchantRows, plantedTastes } from './merchant-data.js';

export const RECOMMEND_DATASET = 'interactions';
/** Ring words per value in the exact (no-DP) encoding (RECOMMEND_WIDE_DIGITS of @tessera/jobs). */
export const WORDS_PER_VALUE = 4;

export interface ServiceConfig {
  merchants: number;
  items: number;
  k: number;
  rounds: number;
  customersPerMerchant: number;
  interactionsPerCustomer: number;
  /** Worker processes the merchants' nodes are spread over. */
  workers: number;
  uploadSlots: number;
  seed: string;
  log: (line: string) => void;
}

export interface ServiceRun {
  merchants: number;
  items: number;
  k: number;
  /** Values in each merchant's item update (items x (k + 1)) and ring words in its masked vector. */
  updateLength: number;
  dimension: number;
  rounds: number;
  /** Merchants whose vectors are in the last round's sum; SecAgg+ threshold and degree of that round. */
  contributors: number;
  threshold: number;
  degree: number;
  /** Each training round's seconds (its secure sum, the model going out to the decoded sum) and their median. */
  roundSeconds: number[];
  roundSecondsMedian: number;
  /** SecAgg+ stages of the training rounds, median seconds (advertise includes the merchants' local round). */
  stageSeconds: StageSeconds;
  jobSeconds: number;
  coordinator: {
    /** VmRSS once every merchant was connected, before the job. */
    connectedRssMiB: number;
    /** Highest RSS sampled (every 10 ms) from submission to the job's end. */
    jobPeakRssMiB: number;
    /** VmHWM at the end of the job: the process's peak over its whole life. */
    peakRssMiB: number;
    /** CPU seconds (user + system) over the job, per training round. */
    cpuSecondsPerRound: number;
  };
  /** Sum of the worker processes' peak RSS (all merchants' nodes). */
  workersPeakRssMiB: number;
  /**
   * The same merchants' rounds in this process without SecAgg+ or transport: each local customer step and item
   * update, the plain Float64 sum, the coordinator's step; median seconds of `rounds` rounds after a warm-up.
   */
  plainRoundSeconds: number;
  maskedOverPlain: number;
}

const READY_TIMEOUT_MS = 300_000;

/** The merchants' rows: `customersPerMerchant` each, from one planted taste structure over the whole catalogue. */
function merchantsRows(cfg: ServiceConfig): InteractionRow[][] {
  const rng = seededRandom(`${cfg.seed}/service/${cfg.items}`);
  const tastes = plantedTastes(cfg.items, 32, rng);
  return Array.from({ length: cfg.merchants }, (_, m) =>
    merchantRows(
      {
        customers: cfg.customersPerMerchant,
        items: cfg.items,
        interactionsPerCustomer: cfg.interactionsPerCustomer,
        prefix: `m${m}-customer`,
      },
      rng,
      tastes,
    ),
  );
}

function writeCsv(path: string, rows: readonly InteractionRow[]): string {
  const lines = rows.map((r) => `${r.customer},${r.item},${r.timestamp}`);
  writeFileSync(path, `customer_id,item_id,timestamp\n${lines.join('\n')}\n`);
  return path;
}

/** The job: masked BPR over the declared catalogue, training rounds only (no leave-last-out evaluation). */
export function recommendServiceSpec(cfg: Pick<ServiceConfig, 'merchants' | 'items' | 'k' | 'rounds' | 'seed'>) {
  return {
    name: `bench-recommend-m${cfg.merchants}-i${cfg.items}-k${cfg.k}`,
    kind: 'recommend',
    dataset: RECOMMEND_DATASET,
    columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
    catalogue: { items: benchItemIds(cfg.items) },
    model: { algorithm: 'bpr', k: cfg.k },
    rounds: cfg.rounds,
    evaluation: { holdOut: 'none' },
    seed: cfg.seed,
    secure: { mode: 'masked' },
    minParticipants: cfg.merchants,
    roundTimeoutSeconds: 1800,
    waitForParticipantsSeconds: 300,
  };
}

/**
 * The plaintext baseline: the same rounds in process, every merchant's local step and item update, the Float64
 * sum and the coordinator's step, as federatedRound does (with the spec's seed for the item start).
 */
function plainRounds(cfg: ServiceConfig, rows: readonly InteractionRow[][]): number[] {
  const catalogue = benchCatalogue(cfg.items);
  const tables = rows.map((r, m) => interactionsFrom(r, catalogue, { source: `merchant-${m}` }));
  const algorithm = algorithmFromSpec({ algorithm: 'bpr', k: cfg.k });
  let items: ItemFactors = initItemFactors(cfg.items, cfg.k, seededRandom(`${cfg.seed}/items`));
  const customers: (CustomerFactors | undefined)[] = tables.map(() => undefined);
  const rngs = tables.map((_, m) => seededRandom(`${cfg.seed}/plain/${m}`));
  const seconds: number[] = [];
  // One more round than the job's, the first a warm-up (JIT), not timed.
  for (let round = 0; round <= cfg.rounds; round++) {
    const t = performance.now();
    const sum = new Float64Array(algorithm.updateLength(cfg.items));
    tables.forEach((data, m) => {
      const own = algorithm.localCustomerStep(items, data, customers[m], rngs[m]!);
      customers[m] = own;
      const update = algorithm.localItemUpdate(items, own, data, rngs[m]!);
      for (let p = 0; p < sum.length; p++) sum[p]! += update[p]!;
    });
    items = algorithm.applyItemUpdate(items, sum);
    if (round > 0) seconds.push((performance.now() - t) / 1000);
  }
  return seconds;
}

export async function runRecommendService(cfg: ServiceConfig): Promise<ServiceRun> {
  const { merchants: n, log } = cfg;
  const updateLength = cfg.items * (cfg.k + 1);
  const dir = mkdtempSync(join(tmpdir(), `tessera-bench-recommend-m${n}-i${cfg.items}-`));
  const coordinatorDir = join(dir, 'coordinator');
  const rows = merchantsRows(cfg);
  const csvs = rows.map((r, m) => writeCsv(join(dir, `merchant-${m}.csv`), r));
  const coordinator = await CoordinatorProcess.start({ dataDir: coordinatorDir, uploadSlots: cfg.uploadSlots });
  const sampler = new RssSampler(coordinator.pid, 10);
  const problems: string[] = [];
  let pool: WorkerPool | undefined;
  const analyst = await connectLocalAnalyst({
    dataDir: coordinatorDir,
    address: coordinator.address,
    security: coordinator.clientSecurity(),
    name: 'bench-recommend',
  }).catch(async (e: unknown) => {
    await sampler.stop().catch(() => undefined);
    await coordinator.stop();
    throw e;
  });
  try {
    log(`coordinator pid ${coordinator.pid} on ${coordinator.address}; enrolling ${n} merchants`);
    const configPaths = await enrolBenchParticipants({
      n,
      dir,
      coordinatorDir,
      address: coordinator.address,
      dataset: RECOMMEND_DATASET,
      shardOf: (i) => csvs[i]!, // one CSV per merchant
    });
    pool = await WorkerPool.start(Math.min(cfg.workers, n), (line) => {
      if (problems.length < 20) problems.push(line);
    });
    await withTimeout(
      pool.run(configPaths, (i) => i, [coordinator.address]),
      READY_TIMEOUT_MS,
      () =>
        `${n} merchants did not all connect within ${READY_TIMEOUT_MS / 1000} s` +
        `${problems.length ? `:\n${problems.join('\n')}` : ''}\ncoordinator messages:\n${coordinator.lastMessages()}`,
    );
    const connectedRssMiB = kibToMiB(coordinator.memory().rssKiB);
    log(`${n} merchants connected; coordinator RSS ${connectedRssMiB} MiB; submitting the recommend job`);

    const cpuStart = procCpuSeconds(coordinator.pid);
    const submittedAt = Date.now();
    const submitted = performance.now();
    const job = await analyst.submit(recommendServiceSpec(cfg));
    const final = await analyst.watch(job.id, (_j, message) => {
      if (message) log(message);
    });
    const jobSeconds = (performance.now() - submitted) / 1000;
    const cpuEnd = procCpuSeconds(coordinator.pid);
    const peakRssMiB = kibToMiB(coordinator.memory().hwmKiB);
    const samples = await sampler.stop();
    const workers = await pool.totals();
    if (final.status !== 'completed') {
      throw new Error(
        `recommend job ${job.id} ${final.status}: ${final.error}` +
          `${problems.length ? `\nparticipant messages:\n${problems.join('\n')}` : ''}` +
          `\ncoordinator messages:\n${coordinator.lastMessages()}`,
      );
    }
    const trained = final.history.filter((h) => h.stage === 'recommend' && h.status === 'completed');
    const last = trained.at(-1);
    const roundSeconds = trained.map((h) => fixed(h.seconds, 3));
    const stage = (key: keyof StageSeconds) =>
      fixed(median(trained.map((h) => h.metrics[STAGE_METRICS[key]] ?? Number.NaN)), 3);
    await pool.stop();
    pool = undefined;
    await coordinator.stop();

    log(`job done in ${jobSeconds.toFixed(1)} s; the plaintext baseline in process`);
    const plain = median(plainRounds(cfg, rows));
    const roundSecondsMedian = median(roundSeconds);
    return {
      merchants: n,
      items: cfg.items,
      k: cfg.k,
      updateLength,
      dimension: updateLength * WORDS_PER_VALUE,
      rounds: cfg.rounds,
      contributors: last?.contributors ?? 0,
      threshold: last?.metrics.threshold ?? Number.NaN,
      degree: last?.metrics.degree ?? Number.NaN,
      roundSeconds,
      roundSecondsMedian: fixed(roundSecondsMedian, 3),
      stageSeconds: {
        advertise: stage('advertise'),
        shareKeys: stage('shareKeys'),
        maskedInput: stage('maskedInput'),
        consistency: stage('consistency'),
        unmask: stage('unmask'),
      },
      jobSeconds: fixed(jobSeconds, 2),
      coordinator: {
        connectedRssMiB,
        jobPeakRssMiB: kibToMiB(samples.reduce((m, s) => (s.t >= submittedAt ? Math.max(m, s.rssKiB) : m), 0)),
        peakRssMiB,
        cpuSecondsPerRound: fixed((cpuEnd - cpuStart) / cfg.rounds, 2),
      },
      workersPeakRssMiB: kibToMiB(workers.hwmKiB),
      plainRoundSeconds: fixed(plain, 4),
      maskedOverPlain: fixed(roundSecondsMedian / plain, 1),
    };
  } finally {
    analyst.close();
    await sampler.stop().catch(() => undefined);
    await pool?.stop().catch(() => undefined);
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
