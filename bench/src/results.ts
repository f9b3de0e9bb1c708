import type { BenchLayout, BenchMode } from '@tessera/cli/bench-api';
import type { MachineInfo } from './machine.js';

export type { BenchMode };

/** Coordinator memory over the gRPC run, from /proc: right after start, with everyone connected, and per stage. */
export interface GrpcDetails {
  uploadSlots: number;
  /** VmRSS of the coordinator process just after it started listening. */
  coordinatorIdleRssMiB: number;
  /** VmRSS with all n participants connected, before the job was submitted. */
  coordinatorConnectedRssMiB: number;
  /** Highest sampled VmRSS during each stage (all rounds together for fit and evaluate). */
  stagePeakRssMiB: { schema: number; statistics: number; fit: number; evaluate: number };
  /** Seconds of the setup stages, from the job history. */
  stageSeconds: { schema: number; statistics: number };
  /** From submitting the job to its completion, as the analyst saw it. */
  jobSeconds: number;
  /** TLS (the default) or plaintext on loopback (the coordinator's --insecure). */
  transport: 'tls' | 'insecure';
  /**
   * CPU seconds (user + system, all threads; /proc/<pid>/stat) the coordinator process used while the n participants
   * enrolled and connected (from its start), and from then to the job's completion.
   */
  coordinatorCpuSeconds: { connect: number; job: number };
  rssSamples: number;
  rssSampleIntervalMs: number;
}

/**
 * The in-process aggregation's memory: live bytes (heap + external, after a forced full GC) above the pre-round
 * baseline.
 */
export interface InProcessDetails {
  /**
   * Median per round of the time spent in the aggregation itself (StreamingSum.addChunk/commit + FedAvg.aggregateFit).
   */
  aggregationSecondsMedian: number;
  /** Median per round of the participants' local fits (run one after another in this one process). */
  localFitSecondsMedian: number;
  /** Contributions after which live memory was measured (plus once after the FedAvg update). */
  checkpoints: number;
  /**
   * VmHWM of the whole benchmark process: includes all n participants' data and training, so it is not the
   * coordinator's.
   */
  processPeakRssMiB: number;
}

export interface FoundationRun {
  mode: BenchMode;
  /** Participants, all contributing to every round. */
  n: number;
  /** Model length (d - 1 numeric features + bias). */
  d: number;
  rounds: number;
  rowsPerParticipant: number;
  /** How the d - 1 features are laid out in the participants' tables (see BenchLayout). */
  layout: BenchLayout;
  /** Raw feature columns of each participant's table (d - 1 when numeric). */
  rawColumns: number;
  /** Fit-stage seconds of each round. */
  roundSeconds: number[];
  roundSecondsMedian: number;
  /**
   * grpc: VmHWM (peak resident set) of the coordinator process over the whole job.
   * inprocess: peak live memory the aggregation held above its baseline (see `memoryMeasure`).
   */
  coordinatorPeakRssMiB: number;
  memoryMeasure: string;
  grpc?: GrpcDetails;
  inprocess?: InProcessDetails;
}

/**
 * The design bound: the coordinator's peak memory at the largest n stays under `limit` times its figure at the smallest
 * n.
 */
export interface MemoryCheck {
  mode: BenchMode;
  d: number;
  nLow: number;
  nHigh: number;
  peakLowMiB: number;
  peakHighMiB: number;
  ratio: number;
  limit: number;
  pass: boolean;
}

export interface FoundationReport {
  benchmark: 'foundation';
  date: string;
  machine: MachineInfo;
  command: string;
  options: {
    participants: number[];
    dims: number[];
    rounds: number;
    modes: BenchMode[];
    uploadSlots: number;
    rowsPerParticipant: number;
    shards: number;
    layout: BenchLayout;
  };
  runs: FoundationRun[];
  memoryChecks: MemoryCheck[];
  /** Every memory check passed. */
  pass: boolean;
  totalSeconds: number;
}
