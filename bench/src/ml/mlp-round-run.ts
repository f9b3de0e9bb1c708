// One MLP training job over gRPC on loopback: a coordinator in its own process (started as an operator would) and n
// real participant nodes in this process, each enrolled with its own token and identity key and training the MLP on
// its own digits rows every round, with SecAgg+ masking or plaintext aggregation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { loadSigningKeyPair } from '@tessera/crypto';
import { connectLocalAnalyst, loadParticipantConfig, ParticipantNode } from '@tessera/sdk';
import { enrolBenchParticipants } from '../bench-enrol.js';
import { CoordinatorProcess } from '../coordinator-process.js';
import { procCpuSeconds } from '../proc-cpu.js';
import { RssSampler } from '../proc-memory.js';
import { bytesReceivedOnPort, portOf } from '../socket-bytes.js';
import { fixed, kibToMiB, median } from '../stats.js';
import { DIGITS_CLASSES, DIGITS_DATASET, DIGITS_LABEL, writeDigitsShards } from './digits-shards.js';

export type MlpSecureMode = 'masked' | 'none';

export interface MlpRoundConfig {
  n: number;
  hidden: number[];
  secure: MlpSecureMode;
  rounds: number;
  rowsPerParticipant: number;
  batchSize: number;
  /** minParticipants = ceil(quorum × n): the share that must contribute (1: all; below 1 tolerates dropouts). */
  quorum: number;
  /** The job is abandoned (and the run reported as failed) after this many seconds. */
  timeoutSeconds: number;
  log: (line: string) => void;
}

export interface MlpRoundRun {
  n: number;
  secure: MlpSecureMode;
  /** The job's minParticipants: SecAgg+'s threshold is at least this (see lastMetrics.threshold). */
  minParticipants: number;
  /** Model parameters (d). */
  parameters: number;
  rounds: number;
  /** Seconds of each completed fit round, as the coordinator recorded them. */
  roundSeconds: number[];
  roundSecondsMedian: number;
  roundSecondsP90: number;
  /**
   * Seconds between successive round completions as the analyst sees them (fit and evaluation stages), from round 2
   * on: the whole round, where roundSeconds is its fit stage.
   */
  roundToRoundSeconds: number[];
  /** Every stage the coordinator recorded: round, stage, status, seconds and any error. */
  stages: { round: number; stage: string; status: string; seconds: number; error?: string }[];
  /**
   * Bytes the coordinator received per participant per round (TCP payload: TLS, HTTP/2, the update and, when
   * masked, the SecAgg+ key agreement), from round 2 on (round 1 also carries the schema and statistics stages).
   */
  uploadBytesPerParticipantRound: number;
  /** The same over the whole job (every stage), divided by n × rounds. */
  jobBytesPerParticipantRound: number;
  coordinatorConnectedRssMiB: number;
  /** Highest coordinator RSS sampled (every 10 ms) while the job ran. */
  coordinatorJobPeakRssMiB: number;
  /** VmHWM of the coordinator process at the end: its peak over start-up, enrolment and the job. */
  coordinatorPeakRssMiB: number;
  /** CPU seconds during the job: the coordinator process, and this process (the n participants). */
  coordinatorCpuSeconds: number;
  participantsCpuSeconds: number;
  jobSeconds: number;
  /**
   * Longest stall of this process's event loop during the job (the n nodes share it): a stall past gRPC's keepalive
   * timeout lets the coordinator drop their streams.
   */
  eventLoopMaxStallSeconds: number;
  /** Last completed round's training metrics (accuracy, loss), as a check the model learns. */
  lastMetrics: Record<string, number>;
}

const READY_TIMEOUT_MS = 300_000;

/** 90th percentile, nearest rank. */
export function p90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)] ?? Number.NaN;
}

/** The job the runs train: every participant in every round, one local epoch, the MLP named by `hidden`. */
export function mlpJobSpec(cfg: Pick<MlpRoundConfig, 'n' | 'hidden' | 'secure' | 'rounds' | 'batchSize' | 'quorum'>) {
  return {
    name: `bench-mlp-rounds-n${cfg.n}-${cfg.secure}`,
    dataset: DIGITS_DATASET,
    label: DIGITS_LABEL,
    model: { kind: 'mlp', hidden: cfg.hidden, classes: DIGITS_CLASSES },
    rounds: cfg.rounds,
    minParticipants: Math.max(2, Math.ceil(cfg.quorum * cfg.n)),
    local: { epochs: 1, batchSize: cfg.batchSize, learningRate: 0.05 },
    validationFraction: 0.25,
    seed: 'tessera-bench-mlp',
    roundTimeoutSeconds: 1800,
    waitForParticipantsSeconds: 300,
    maxRoundAttempts: 1,
    secure: { mode: cfg.secure },
  };
}

export async function runMlpRound(cfg: MlpRoundConfig, parameters: number): Promise<MlpRoundRun> {
  const { n, log } = cfg;
  const dir = mkdtempSync(join(tmpdir(), `tessera-bench-mlp-n${n}-${cfg.secure}-`));
  const coordinatorDir = join(dir, 'coordinator');
  const shards = writeDigitsShards(join(dir, 'shards'), n, cfg.rowsPerParticipant);
  const coordinator = await CoordinatorProcess.start({ dataDir: coordinatorDir, uploadSlots: 8 });
  const port = portOf(coordinator.address);
  const sampler = new RssSampler(coordinator.pid, 10);
  const nodes: ParticipantNode[] = [];
  const analyst = await connectLocalAnalyst({
    dataDir: coordinatorDir,
    address: coordinator.address,
    security: coordinator.clientSecurity(),
    name: 'bench',
  }).catch(async (e: unknown) => {
    await sampler.stop().catch(() => undefined);
    await coordinator.stop();
    throw e;
  });
  try {
    log(`coordinator pid ${coordinator.pid} on ${coordinator.address}; enrolling ${n} participants`);
    const configPaths = await enrolBenchParticipants({
      n,
      dir,
      coordinatorDir,
      address: coordinator.address,
      dataset: DIGITS_DATASET,
      shardOf: (i) => shards[i]!,
    });
    const problems: string[] = [];
    const ready: Promise<void>[] = [];
    for (const path of configPaths) {
      const config = loadParticipantConfig(path);
      const node = new ParticipantNode({
        config,
        identity: loadSigningKeyPair(config.identityKey),
        log: (line) => {
          if (problems.length < 20 && !line.includes(': warning: no consent policy')) problems.push(line);
        },
      });
      ready.push(new Promise((resolve) => node.once('ready', () => resolve())));
      nodes.push(node);
      node.start();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${n} participants did not all connect within ${READY_TIMEOUT_MS / 1000} s`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const connectedRss = coordinator.memory().rssKiB;
    log(`${n} participants connected; coordinator RSS ${kibToMiB(connectedRss)} MiB; submitting the job`);

    const bytesAtStart = bytesReceivedOnPort(port);
    const cpuCoordinator = procCpuSeconds(coordinator.pid);
    const cpuHere = process.cpuUsage();
    const startedAt = Date.now();
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    const submitted = performance.now();
    const job = await analyst.submit(mlpJobSpec(cfg));
    // Bytes received when each round completed: their differences are one round's traffic.
    const atRound: number[] = [];
    const timeAtRound: number[] = [];
    const final = await analyst.watch(
      job.id,
      (j, message) => {
        while (atRound.length < j.roundsCompleted) {
          atRound.push(bytesReceivedOnPort(port));
          timeAtRound.push(performance.now());
        }
        if (message) log(message);
      },
      60_000,
      AbortSignal.timeout(cfg.timeoutSeconds * 1000),
    );
    const jobSeconds = (performance.now() - submitted) / 1000;
    loop.disable();
    const bytesAtEnd = bytesReceivedOnPort(port);
    const used = process.cpuUsage(cpuHere);
    const coordinatorCpu = procCpuSeconds(coordinator.pid) - cpuCoordinator;
    const hwm = coordinator.memory().hwmKiB;
    const endedAt = Date.now();
    const samples = await sampler.stop();
    if (final.status !== 'completed') {
      const participants = problems.length ? `\nparticipant messages:\n${problems.join('\n')}` : '';
      throw new Error(
        `job ${job.id} ${final.status}: ${final.error}${participants}` +
          `\nlongest event-loop stall of the participants' process during the job: ${fixed(loop.max / 1e9, 3)} s` +
          `\ncoordinator messages:\n${coordinator.lastMessages()}`,
      );
    }
    const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
    const roundSeconds = fits.map((h) => fixed(h.seconds, 3));
    const perRound = atRound.slice(1).map((b, k) => b - atRound[k]!);
    const jobPeak = samples.reduce((m, s) => (s.t >= startedAt && s.t <= endedAt ? Math.max(m, s.rssKiB) : m), 0);
    return {
      n,
      secure: cfg.secure,
      minParticipants: mlpJobSpec(cfg).minParticipants,
      parameters,
      rounds: cfg.rounds,
      roundSeconds,
      roundSecondsMedian: fixed(median(roundSeconds), 3),
      roundSecondsP90: fixed(p90(roundSeconds), 3),
      roundToRoundSeconds: timeAtRound.slice(1).map((t, k) => fixed((t - timeAtRound[k]!) / 1000, 3)),
      stages: final.history.map((h) => ({
        round: h.round,
        stage: h.stage,
        status: h.status,
        seconds: fixed(h.seconds, 3),
        ...(h.error ? { error: h.error } : {}),
      })),
      uploadBytesPerParticipantRound: Math.round(median(perRound) / n),
      jobBytesPerParticipantRound: Math.round((bytesAtEnd - bytesAtStart) / n / cfg.rounds),
      coordinatorConnectedRssMiB: kibToMiB(connectedRss),
      coordinatorJobPeakRssMiB: kibToMiB(jobPeak),
      coordinatorPeakRssMiB: kibToMiB(hwm),
      coordinatorCpuSeconds: fixed(coordinatorCpu, 2),
      participantsCpuSeconds: fixed((used.user + used.system) / 1e6, 2),
      jobSeconds: fixed(jobSeconds, 2),
      eventLoopMaxStallSeconds: fixed(loop.max / 1e9, 3),
      lastMetrics: Object.fromEntries(
        Object.entries(fits.at(-1)?.metrics ?? {}).map(([k, v]) => [k, fixed(v, 4)] as const),
      ),
    };
  } finally {
    analyst.close();
    await sampler.stop().catch(() => undefined);
    await Promise.all(nodes.map((p) => p.stop().catch(() => undefined)));
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
