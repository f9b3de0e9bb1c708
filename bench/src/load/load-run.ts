// One load-harness run: a real coordinator (own process, TLS), n enrolled participants spread over worker processes,
// one masked training job; measures round latency, SecAgg+ stage times, coordinator CPU and memory, messages, bytes.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connectLocalAnalyst } from '@tessera/sdk';
import { procCpuSeconds } from '../proc-cpu.js';
import { socketBytesOnPort, portOf } from '../socket-bytes.js';
import { fixed, kibToMiB, median } from '../stats.js';
import { BENCH_DATASET, BENCH_LABEL, writeShards } from '../synthetic.js';
import { monotonicMicros, summariseProfile, type ProfileSummary } from './cpu-profile.js';
import { enrolLoadParticipants } from './load-enrol.js';
import { startReplicas } from './replicas.js';
import { WorkerPool } from './worker-pool.js';
import { withTimeout } from '../with-timeout.js';

export interface LoadConfig {
  n: number;
  d: number;
  rounds: number;
  /** Coordinator processes sharing one store (1: the SQLite store in its data directory). */
  replicas: number;
  /** Worker processes the participants are spread over. */
  workers: number;
  /** Take a CPU profile of the (first) coordinator with node --cpu-prof. */
  profile: boolean;
  /** Keep the coordinator's .cpuprofile here (as load-n<n>.cpuprofile) for a closer look (e.g. Chrome DevTools). */
  profileDir?: string;
  rowsPerParticipant: number;
  shards: number;
  uploadSlots: number;
  log: (line: string) => void;
}

/** SecAgg+ stages of a fit round, in seconds (median over the job's fit rounds). */
export interface StageSeconds {
  advertise: number;
  shareKeys: number;
  maskedInput: number;
  consistency: number;
  unmask: number;
}

export interface LoadRun {
  n: number;
  d: number;
  rounds: number;
  replicas: number;
  workers: number;
  /** Participants whose masked updates are in the last fit round's sum. */
  contributors: number;
  /** SecAgg+ threshold and graph degree the coordinator chose for the fit rounds. */
  threshold: number;
  degree: number;
  /** Seconds of each fit round (its secure sum, from the task going out to the unmasked sum). */
  roundSeconds: number[];
  roundSecondsMedian: number;
  stageSeconds: StageSeconds;
  /** The job's setup stages (each a secure sum too). */
  setupSeconds: { schema: number; statistics: number };
  /** From submitting the job to its completion, as the analyst saw it. */
  jobSeconds: number;
  enrolSeconds: number;
  connectSeconds: number;
  coordinator: {
    /**
     * CPU seconds (user + system) of all coordinator processes: while participants connected, over the job, and over
     * the training rounds alone (fit and evaluate, from the end of the statistics stage to the job's end) per round.
     */
    cpuSeconds: { connect: number; job: number; perRound: number };
    /** Job CPU seconds over job wall seconds: cores the coordinator kept busy. */
    cores: number;
    /** VmHWM of each coordinator process at the end of the job. */
    peakRssMiB: number[];
    connectedRssMiB: number[];
  };
  messages: {
    /** Signed participant messages the coordinator received, and messages it sent, over the job. */
    received: number;
    sent: number;
    /** (received + sent) over the job's wall seconds. */
    perSecond: number;
  };
  /** Bytes on the coordinator's sockets per participant over the job (TLS and HTTP/2 framing included). */
  bytesPerParticipant: { up: number; down: number };
  participantMemory: {
    /** Resident set the workers grew by when their nodes connected, per participant. */
    perParticipantMiB: number;
    /** Sum of the workers' peak resident sets. */
    workersPeakRssMiB: number;
    /** The longest event-loop stall of a worker during the job (past 10 s, gRPC keepalive drops its streams). */
    workerMaxStallSeconds: number;
  };
  profile?: ProfileSummary;
}

const READY_TIMEOUT_MS = 600_000;
const MIN_SURVIVORS = 100;

/** The masked training job of a load run: every participant in every round, one local epoch on a few rows. */
export function loadJobSpec(cfg: Pick<LoadConfig, 'n' | 'd' | 'rounds'>) {
  return {
    name: `bench-load-n${cfg.n}-d${cfg.d}`,
    dataset: BENCH_DATASET,
    label: BENCH_LABEL,
    rounds: cfg.rounds,
    // Every participant is asked in every round, and a round needs MIN_SURVIVORS of them, as a deployment of
    // thousands would set it: SecAgg+'s threshold then follows from its dropout assumption (secure.dropoutRate,
    // 10 %), instead of being raised to n, which would fail a round on any one dropout in a neighbourhood.
    minParticipants: Math.min(cfg.n, MIN_SURVIVORS),
    local: { epochs: 1, batchSize: 8, learningRate: 0.05 },
    validationFraction: 0.25,
    seed: 'tessera-bench-load',
    roundTimeoutSeconds: 1800,
    waitForParticipantsSeconds: 300,
    maxRoundAttempts: 1,
    secure: { mode: 'masked' },
  };
}

/** The coordinator's per-stage metrics of a secure fit round (rounds/secure-sum.ts), in seconds. */
export const STAGE_METRICS: Record<keyof StageSeconds, string> = {
  advertise: 'secagg_advertise_seconds',
  shareKeys: 'secagg_share_keys_seconds',
  maskedInput: 'secagg_masked_input_seconds',
  consistency: 'secagg_consistency_seconds',
  unmask: 'secagg_unmask_seconds',
};

/** The CPU profile the coordinator wrote at exit, over the job's window. */
function readProfile(dir: string, fromUs: number, toUs: number, keepAs?: string): ProfileSummary {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the coordinator wrote no CPU profile to ${dir} (did it exit cleanly?)`);
  if (keepAs) {
    mkdirSync(dirname(keepAs), { recursive: true });
    copyFileSync(join(dir, file), keepAs);
  }
  return summariseProfile(join(dir, file), fromUs, toUs);
}

export async function runLoad(cfg: LoadConfig): Promise<LoadRun> {
  const { n, d, log } = cfg;
  const dir = mkdtempSync(join(tmpdir(), `tessera-load-n${n}-d${d}-`));
  const profileDir = join(dir, 'profile');
  mkdirSync(profileDir);
  const shardSpec = { dimension: d, rows: cfg.rowsPerParticipant, shards: Math.min(n, cfg.shards), layout: 'onehot' };
  const shardPaths = writeShards(join(dir, 'shards'), shardSpec as Parameters<typeof writeShards>[1]);
  const problems: string[] = [];
  const cluster = await startReplicas({
    replicas: cfg.replicas,
    dir,
    uploadSlots: cfg.uploadSlots,
    ...(cfg.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
    log,
  });
  const coordinators = cluster.coordinators;
  const first = coordinators[0]!; // startReplicas starts at least one
  const cpu = () => coordinators.reduce((a, c) => a + procCpuSeconds(c.pid), 0);
  const bytes = () =>
    coordinators.reduce(
      (a, c) => {
        const b = socketBytesOnPort(portOf(c.address));
        return { received: a.received + b.received, sent: a.sent + b.sent };
      },
      { received: 0, sent: 0 },
    );
  let pool: WorkerPool | undefined;
  const analyst = await connectLocalAnalyst({
    dataDir: first.dataDir,
    address: first.address,
    security: first.clientSecurity(),
    name: 'bench-load',
  }).catch(async (e: unknown) => {
    await cluster.stop();
    throw e;
  });
  try {
    const cpuStart = cpu();
    log(`${coordinators.length} coordinator(s) at ${coordinators.map((c) => c.address).join(', ')}; enrolling ${n}`);
    let t = performance.now();
    const configPaths = await enrolLoadParticipants({
      n,
      dir,
      coordinatorDir: first.dataDir,
      address: first.address,
      dataset: BENCH_DATASET,
      shardOf: (i) => shardPaths[i % shardPaths.length]!, // shardPaths is never empty (n >= 1)
    });
    const enrolSeconds = (performance.now() - t) / 1000;
    log(`${n} participants enrolled in ${enrolSeconds.toFixed(1)} s; starting ${cfg.workers} worker processes`);

    t = performance.now();
    pool = await WorkerPool.start(cfg.workers, (line) => {
      if (problems.length < 20) problems.push(line);
    });
    const ready = await withTimeout(
      pool.run(configPaths, (i) => i % shardPaths.length, cluster.addresses),
      READY_TIMEOUT_MS,
      () =>
        `${n} participants did not all connect within ${READY_TIMEOUT_MS / 1000} s` +
        `${problems.length ? `:\n${problems.join('\n')}` : ''}\ncoordinator messages:\n${first.lastMessages()}`,
    );
    const connectSeconds = (performance.now() - t) / 1000;
    const grown = ready.reduce((a, r) => a + Math.max(0, r.rssAfterKiB - r.rssBeforeKiB), 0);
    const connectedRss = coordinators.map((c) => kibToMiB(c.memory().rssKiB));
    const cpuConnected = cpu();
    log(
      `${n} participants connected in ${connectSeconds.toFixed(1)} s ` +
        `(${(grown / 1024 / n).toFixed(2)} MiB each); coordinator RSS ${connectedRss.join(', ')} MiB; submitting`,
    );

    await pool.resetCounts();
    const bytesBefore = bytes();
    const fromUs = monotonicMicros();
    const submitted = performance.now();
    const job = await analyst.submit(loadJobSpec(cfg));
    // The coordinator's CPU when the setup stages are done: what the training rounds cost it is measured from here.
    let cpuSetupDone = Number.NaN;
    const final = await analyst.watch(job.id, (_j, message) => {
      if (!message) return;
      if (message.startsWith('statistics computed')) cpuSetupDone = cpu();
      log(message);
    });
    const jobSeconds = (performance.now() - submitted) / 1000;
    const toUs = monotonicMicros();
    const cpuEnd = cpu();
    const bytesAfter = bytes();
    const counts = await pool.totals();
    const peakRss = coordinators.map((c) => kibToMiB(c.memory().hwmKiB));
    await pool.stop();
    pool = undefined;
    await cluster.stop();
    // The profile is written when the coordinator exits; a failed job's profile says where it spent its time.
    const keepAs = cfg.profileDir ? join(cfg.profileDir, `load-n${n}.cpuprofile`) : undefined;
    const profile = cfg.profile ? readProfile(profileDir, fromUs, toUs, keepAs) : undefined;
    if (final.status !== 'completed') {
      const hot = profile
        ? `\ncoordinator CPU profile: ${profile.top.map((f) => `${f.name} ${f.selfSeconds} s`).join('; ')}`
        : '';
      throw new Error(
        `job ${job.id} ${final.status}: ${final.error}` +
          `\nlongest worker event-loop stall: ${counts.maxStallSeconds.toFixed(1)} s` +
          `${problems.length ? `\nparticipant messages:\n${problems.join('\n')}` : ''}` +
          `\ncoordinator messages:\n${first.lastMessages()}${hot}`,
      );
    }

    const fits = final.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
    const lastFit = fits.at(-1);
    const roundSeconds = fits.map((h) => fixed(h.seconds, 3));
    const stage = (key: keyof StageSeconds) => fixed(median(fits.map((h) => h.metrics[STAGE_METRICS[key]] ?? NaN)), 3);
    const setup = (s: string) =>
      fixed(final.history.find((h) => h.stage === s && h.status === 'completed')?.seconds ?? Number.NaN, 3);
    const messages = counts.sent + counts.received;
    return {
      n,
      d,
      rounds: cfg.rounds,
      replicas: coordinators.length,
      workers: cfg.workers,
      contributors: lastFit?.contributors ?? 0,
      threshold: lastFit?.metrics.threshold ?? Number.NaN,
      degree: lastFit?.metrics.degree ?? Number.NaN,
      roundSeconds,
      roundSecondsMedian: fixed(median(roundSeconds), 3),
      stageSeconds: {
        advertise: stage('advertise'),
        shareKeys: stage('shareKeys'),
        maskedInput: stage('maskedInput'),
        consistency: stage('consistency'),
        unmask: stage('unmask'),
      },
      setupSeconds: { schema: setup('schema'), statistics: setup('statistics') },
      jobSeconds: fixed(jobSeconds, 3),
      enrolSeconds: fixed(enrolSeconds, 2),
      connectSeconds: fixed(connectSeconds, 2),
      coordinator: {
        cpuSeconds: {
          connect: fixed(cpuConnected - cpuStart, 2),
          job: fixed(cpuEnd - cpuConnected, 2),
          perRound: fixed((cpuEnd - cpuSetupDone) / cfg.rounds, 2),
        },
        cores: fixed((cpuEnd - cpuConnected) / jobSeconds, 2),
        peakRssMiB: peakRss,
        connectedRssMiB: connectedRss,
      },
      messages: { received: counts.sent, sent: counts.received, perSecond: fixed(messages / jobSeconds, 1) },
      bytesPerParticipant: {
        up: Math.round((bytesAfter.received - bytesBefore.received) / n),
        down: Math.round((bytesAfter.sent - bytesBefore.sent) / n),
      },
      participantMemory: {
        perParticipantMiB: fixed(grown / 1024 / n, 3),
        workersPeakRssMiB: kibToMiB(counts.hwmKiB),
        workerMaxStallSeconds: fixed(counts.maxStallSeconds, 2),
      },
      ...(profile ? { profile } : {}),
    };
  } finally {
    analyst.close();
    await pool?.stop().catch(() => undefined);
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
