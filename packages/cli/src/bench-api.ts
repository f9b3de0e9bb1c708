// The contract between `tessera bench` (this package) and the benchmarks (@tessera/bench, the private
// bench/ workspace, as noble keeps its benchmark/ package). The CLI owns the commands, their options
// and defaults; the benchmarks implement BenchApi and are loaded only when a bench command runs, so
// that `tessera --help` and every other command work without them (and without their
// benchmark-only dependencies such as paillier-bigint). The CLI never imports the bench statically:
// the bench depends on the CLI (this file, ui/table, the demo), not the other way round.
import { UsageError } from './ui/errors.js';

export type BenchMode = 'grpc' | 'inprocess';
export type BenchLayout = 'onehot' | 'numeric';

/** `tessera bench foundation` and the foundation part of `npm run bench`: the configurations run by default. */
export const FOUNDATION_DEFAULTS = {
  participants: [10, 100],
  dims: [1_000, 100_000],
  rounds: 3,
  modes: ['grpc', 'inprocess'] as BenchMode[],
  uploadSlots: 4,
  rowsPerParticipant: 8,
  shards: 10,
  layout: 'onehot' as BenchLayout,
};

export interface FoundationRequest {
  participants: number[];
  dims: number[];
  rounds: number;
  modes: BenchMode[];
  /** The coordinator's --upload-slots (its default is 4). */
  uploadSlots: number;
  rowsPerParticipant: number;
  shards: number;
  layout: BenchLayout;
  /** How the run was started, for the report (e.g. "npm run bench"). */
  command: string;
  log: (line: string) => void;
}

/** `tessera bench load`: the sizes of issue 19 (masked, d = 10^4, one round, one replica). */
export const LOAD_DEFAULTS = {
  participants: [500, 1_000, 2_000],
  dim: 10_000,
  rounds: 1,
  replicas: 1,
  workers: 4,
  rowsPerParticipant: 8,
  shards: 10,
  uploadSlots: 4,
};

export interface LoadRequest {
  participants: number[];
  dim: number;
  rounds: number;
  /** Coordinator processes on one shared PostgreSQL store (1: one coordinator on its SQLite store). */
  replicas: number;
  /** Worker processes the simulated participants are spread over. */
  workers: number;
  /** Take a CPU profile of the coordinator (node --cpu-prof) and name its hottest functions. */
  profile: boolean;
  /** Keep the coordinator's .cpuprofile files in this directory. */
  profileDir?: string;
  command: string;
  log: (line: string) => void;
}

export interface HeRequest {
  readonly participants: number;
  readonly dimension: number;
  readonly drop: number;
}

/** What `tessera bench` needs from @tessera/bench: each command's JSON document and its text rendering. */
export interface BenchApi {
  /** Round latency and coordinator peak memory (`tessera bench foundation`); `report` is the JSON document. */
  foundation(o: FoundationRequest): Promise<{ report: { pass: boolean }; text: string }>;
  /** One in-process SecAgg+ round against the plain round per (participants, dimension) (`tessera bench secagg`). */
  secagg(sizes: readonly { participants: number; dimension: number }[], drop: number): { rows: object[]; text: string };
  /** BFV vs Paillier per value and one sealed round against the masked round (`tessera bench he`). */
  he(size: HeRequest, log: (line: string) => void): Promise<{ figures: object; text: string }>;
  /** Thousands of simulated participants against a real coordinator, masked (`tessera bench load`). */
  load(o: LoadRequest): Promise<{ report: object; text: string }>;
  /** Progress lines on stderr, prefixed with the seconds since start. */
  stderrLog(prefix: string): (line: string) => void;
}

/** The package `tessera bench` loads; a variable, so that TypeScript and bundlers do not follow it. */
export const BENCH_PACKAGE: string = '@tessera/bench';

/**
 * Loads the benchmarks. When they (or one of their dependencies) are not installed, a UsageError says
 * what is missing and how to install it; `tessera` then exits with status 1.
 */
export async function loadBench(specifier: string = BENCH_PACKAGE): Promise<BenchApi> {
  let mod: { benchApi?: BenchApi };
  try {
    mod = (await import(specifier)) as { benchApi?: BenchApi };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new UsageError(
      'tessera bench needs the benchmarks ' +
        `(${specifier}, the private bench/ workspace of the Tessera checkout) and their ` +
        `dependencies, which this installation lacks (${err.message.split('\n')[0]}). In a Tessera checkout, run ` +
        '`npm install` and `npm run build` there (they install and build the bench/ workspace too), then try again.',
    );
  }
  if (typeof mod.benchApi?.foundation !== 'function') {
    throw new UsageError(
      `${specifier} does not export benchApi (foundation, secagg, he): rebuild it with \`npm run build\``,
    );
  }
  return mod.benchApi;
}
