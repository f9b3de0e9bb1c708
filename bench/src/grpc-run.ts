import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE, SqliteStore, type RoundRecord } from '@tessera/coordinator';
import { loadSigningKeyPair } from '@tessera/crypto';
import { connectLocalAnalyst, loadParticipantConfig, ParticipantNode } from '@tessera/sdk';
import { enrolBenchParticipants } from './bench-enrol.js';
import { CoordinatorProcess } from './coordinator-process.js';
import { procCpuSeconds } from './proc-cpu.js';
import { RssSampler, type RssSample } from './proc-memory.js';
import type { FoundationRun } from './results.js';
import { fixed, kibToMiB, median } from './stats.js';
import { BENCH_DATASET, BENCH_LABEL, rawFeatureColumns, writeShards, type BenchLayout } from './synthetic.js';
import { withTimeout } from './with-timeout.js';

export interface RunConfig {
  n: number;
  d: number;
  rounds: number;
  rowsPerParticipant: number;
  /**
   * Distinct data shards; participant i serves shard i mod shards (nodes with the same shard share its parsed table).
   */
  shards: number;
  layout: BenchLayout;
  uploadSlots: number;
  /** Plaintext on loopback (the coordinator's --insecure) instead of TLS: the transport benchmark's baseline. */
  insecure?: boolean;
  log: (line: string) => void;
}

const SAMPLE_INTERVAL_MS = 10;
const READY_TIMEOUT_MS = 120_000;

/**
 * The job every foundation run trains: all n participants in every round, one local epoch on a
 * few rows, plaintext streaming aggregation (`secure.mode: none`): the foundation's O(d) path.
 * Secure aggregation has its own benchmark (tessera bench secagg).
 */
export function benchJobSpec(cfg: Pick<RunConfig, 'n' | 'd' | 'rounds'>) {
  return {
    name: `bench-foundation-n${cfg.n}-d${cfg.d}`,
    dataset: BENCH_DATASET,
    label: BENCH_LABEL,
    rounds: cfg.rounds,
    minParticipants: cfg.n,
    local: { epochs: 1, batchSize: 8, learningRate: 0.05 },
    validationFraction: 0.25,
    seed: 'tessera-bench',
    roundTimeoutSeconds: 900,
    waitForParticipantsSeconds: 120,
    maxRoundAttempts: 1,
    secure: { mode: 'none' },
  };
}

/** The shards a run deals to its participants. */
export const shardSpec = (cfg: RunConfig) => ({
  dimension: cfg.d,
  rows: cfg.rowsPerParticipant,
  shards: Math.min(cfg.n, cfg.shards),
  layout: cfg.layout,
});

/** What every run reports about its data. */
export const dataFields = (cfg: RunConfig) => ({
  rowsPerParticipant: cfg.rowsPerParticipant,
  layout: cfg.layout,
  rawColumns: rawFeatureColumns(shardSpec(cfg)),
});

const peakIn = (samples: readonly RssSample[], from: number, to: number) =>
  samples.reduce((m, s) => (s.t >= from && s.t <= to ? Math.max(m, s.rssKiB) : m), 0);

/** Highest sampled RSS per stage, with stage intervals rebuilt from the coordinator's round records. */
function stagePeaks(records: readonly RoundRecord[], samples: readonly RssSample[]) {
  const done = records.filter((r) => r.status === 'completed');
  const interval = (r: RoundRecord) => [r.finishedAt - r.seconds * 1000, r.finishedAt] as const;
  const schema = done.find((r) => r.stage === 'schema');
  const statistics = done.find((r) => r.stage === 'statistics');
  let fit = 0,
    evaluate = 0;
  let previousEnd = statistics?.finishedAt ?? 0;
  for (const r of done.filter((x) => x.stage === 'fit')) {
    // A fit record is written after its round's evaluation; `seconds` covers the fit stage only.
    const fitEnd = previousEnd + r.seconds * 1000;
    fit = Math.max(fit, peakIn(samples, previousEnd, fitEnd));
    evaluate = Math.max(evaluate, peakIn(samples, fitEnd, r.finishedAt));
    previousEnd = r.finishedAt;
  }
  return {
    schema: schema ? kibToMiB(peakIn(samples, ...interval(schema))) : Number.NaN,
    statistics: statistics ? kibToMiB(peakIn(samples, ...interval(statistics))) : Number.NaN,
    fit: kibToMiB(fit),
    evaluate: kibToMiB(evaluate),
  };
}

/**
 * One foundation run over gRPC on loopback: a coordinator in its own process (so that its
 * memory is measured alone) and n real participant nodes in this process, each enrolled with
 * its own token and identity key, training on real local data each round.
 */
export async function runGrpc(cfg: RunConfig): Promise<FoundationRun> {
  const { n, d, log } = cfg;
  const dir = mkdtempSync(join(tmpdir(), `tessera-bench-n${n}-d${d}-`));
  const coordinatorDir = join(dir, 'coordinator');
  const shardPaths = writeShards(join(dir, 'shards'), shardSpec(cfg));
  // Participant i serves shard i mod the shard count (several share a shard when n exceeds it).
  const shardOf = (i: number): string => {
    const path = shardPaths[i % shardPaths.length];
    if (path === undefined)
      throw new Error(`no shard for participant ${i + 1}: ${shardPaths.length} shards were written`);
    return path;
  };
  const insecure = cfg.insecure === true;
  const coordinator = await CoordinatorProcess.start({
    dataDir: coordinatorDir,
    uploadSlots: cfg.uploadSlots,
    insecure,
  });
  const cpuAtStart = procCpuSeconds(coordinator.pid);
  const sampler = new RssSampler(coordinator.pid, SAMPLE_INTERVAL_MS);
  const nodes: ParticipantNode[] = [];
  // The bench's analyst, registered on the coordinator's data directory as its operator would.
  const analyst = await connectLocalAnalyst({
    dataDir: coordinatorDir,
    address: coordinator.address,
    security: coordinator.clientSecurity(insecure),
    name: 'bench',
  }).catch(async (e: unknown) => {
    await sampler.stop().catch(() => undefined);
    await coordinator.stop();
    throw e;
  });
  let jobId = '';
  try {
    const idle = coordinator.memory();
    log(`coordinator pid ${coordinator.pid} on ${coordinator.address}; enrolling ${n} participants`);

    const configPaths = await enrolBenchParticipants({
      n,
      dir,
      coordinatorDir,
      address: coordinator.address,
      dataset: BENCH_DATASET,
      shardOf,
      ...(insecure ? { insecure: true } : {}),
    });

    const shared = new Map<number, ParticipantNode['data']>();
    const problems: string[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const config = loadParticipantConfig(configPaths[i]!); // the enrolment above filled every index
      const data = shared.get(i % shardPaths.length);
      const node = new ParticipantNode({
        config,
        identity: loadSigningKeyPair(config.identityKey),
        ...(data ? { data } : {}),
        log: (line) => {
          if (problems.length < 20 && !line.includes(': warning: no consent policy')) problems.push(line);
        },
      });
      shared.set(i % shardPaths.length, node.data);
      ready.push(new Promise((resolve) => node.once('ready', () => resolve())));
      nodes.push(node);
      node.start();
    }
    await withTimeout(
      Promise.all(ready),
      READY_TIMEOUT_MS,
      () =>
        `${nodes.length} participants did not all connect within ${READY_TIMEOUT_MS / 1000} s` +
        `${problems.length ? `:\n${problems.join('\n')}` : ''}` +
        `\ncoordinator messages:\n${coordinator.lastMessages()}`,
    );
    const connected = coordinator.memory();
    const cpuConnected = procCpuSeconds(coordinator.pid);
    log(`${n} participants connected; coordinator RSS ${kibToMiB(connected.rssKiB)} MiB; submitting the job`);

    const submitted = performance.now();
    const job = await analyst.submit(benchJobSpec(cfg));
    jobId = job.id;
    const final = await analyst.watch(job.id, (_j, message) => {
      if (message) log(message);
    });
    const jobSeconds = (performance.now() - submitted) / 1000;
    const cpuEnd = procCpuSeconds(coordinator.pid);
    const end = coordinator.memory();
    const samples = await sampler.stop();
    if (final.status !== 'completed') {
      const participants = problems.length ? `\nparticipant messages:\n${problems.join('\n')}` : '';
      throw new Error(
        `job ${job.id} ${final.status}: ${final.error}${participants}` +
          `\ncoordinator messages:\n${coordinator.lastMessages()}`,
      );
    }
    await Promise.all(nodes.splice(0).map((p) => p.stop()));
    await coordinator.stop();

    const store = new SqliteStore(join(coordinatorDir, DATABASE_FILE));
    const records = await store.listRounds(jobId);
    await store.close();
    const roundSeconds = final.history
      .filter((h) => h.stage === 'fit' && h.status === 'completed')
      .map((h) => fixed(h.seconds, 4));
    const stageSeconds = (stage: string) =>
      fixed(final.history.find((h) => h.stage === stage && h.status === 'completed')?.seconds ?? Number.NaN, 3);
    return {
      mode: 'grpc',
      n,
      d,
      rounds: cfg.rounds,
      ...dataFields(cfg),
      roundSeconds,
      roundSecondsMedian: fixed(median(roundSeconds), 4),
      coordinatorPeakRssMiB: kibToMiB(end.hwmKiB),
      memoryMeasure:
        'VmHWM of the coordinator process (/proc/<pid>/status) at the end of the job: ' +
        'its peak resident set over start-up, enrolment, connections and every stage',
      grpc: {
        uploadSlots: cfg.uploadSlots,
        coordinatorIdleRssMiB: kibToMiB(idle.rssKiB),
        coordinatorConnectedRssMiB: kibToMiB(connected.rssKiB),
        stagePeakRssMiB: stagePeaks(records, samples),
        stageSeconds: { schema: stageSeconds('schema'), statistics: stageSeconds('statistics') },
        jobSeconds: fixed(jobSeconds, 3),
        transport: insecure ? 'insecure' : 'tls',
        coordinatorCpuSeconds: {
          connect: fixed(cpuConnected - cpuAtStart, 2),
          job: fixed(cpuEnd - cpuConnected, 2),
        },
        rssSamples: samples.length,
        rssSampleIntervalMs: SAMPLE_INTERVAL_MS,
      },
    };
  } finally {
    analyst.close();
    await sampler.stop().catch(() => undefined);
    await Promise.all(nodes.map((p) => p.stop().catch(() => undefined)));
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
