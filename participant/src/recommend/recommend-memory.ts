// What a node keeps of a recommend job between its rounds: the parsed table and its customers' factors (never sent).
import type { CustomerFactors } from '@tessera/recommend';
import { KeptJobs, perOwner } from '../kept-jobs.js';
import type { RecommendTable } from './job-table.js';

/** The customers' factors after a training round, and the ones it started from (a retried round starts there again). */
export interface KeptFactors {
  round: number;
  before?: CustomerFactors;
  after: CustomerFactors;
}

/** One job's state at this node. */
export interface RecommendJobState {
  /** The data set and signed spec the state was built for: another spec under the same job id starts afresh. */
  readonly key: string;
  readonly table: RecommendTable;
  factors?: KeptFactors;
}

/** At most this many jobs are kept at once (the least recently used goes first). */
export const RECOMMEND_JOBS_KEPT = 8;

/**
 * Per-job recommend state of one node, across rounds and connections. A job's state goes when the job's last step
 * ran here (`forget`), when it has not been used for `idleMs` (a job that ended without a last step here: the
 * coordinator failed, this node was dropped), or when newer jobs push it out.
 */
export class RecommendMemory {
  private readonly kept = new KeptJobs<RecommendJobState>(RECOMMEND_JOBS_KEPT);

  get(jobId: string, key: string): RecommendJobState | undefined {
    return this.kept.get(jobId, key);
  }

  /** Keeps (or refreshes) a job's state for `idleMs` more. */
  keep(jobId: string, state: RecommendJobState, idleMs: number): void {
    this.kept.keep(jobId, state.key, state, idleMs);
  }

  forget(jobId: string): void {
    this.kept.forget(jobId);
  }

  /** The jobs held now (tests). */
  jobIds(): string[] {
    return this.kept.jobIds();
  }
}

/** The recommend memory of the node that owns `owner` (its JobMemory): one per node, several nodes per process. */
export const recommendMemoryOf: (owner: object) => RecommendMemory = perOwner(() => new RecommendMemory());
