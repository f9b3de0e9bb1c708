import type { tessera } from '@tessera/proto';

/** Rounds a node keeps for valuation per job; older jobs are forgotten first. */
const JOBS_KEPT = 8;

/**
 * The updates a node sent into the training rounds of jobs that carry a payout, kept in memory so
 * that it can disclose them for valuation after the job (only if its consent policy grants the
 * `valuation` purpose when the coordinator asks). A restarted node has none to disclose.
 */
export class ValuationDisclosure {
  private readonly jobs = new Map<string, Map<number, { delta: Float64Array; numExamples: number }>>();

  keep(jobId: string, round: number, delta: Float64Array, numExamples: number): void {
    let rounds = this.jobs.get(jobId);
    if (!rounds) {
      rounds = new Map();
      this.jobs.set(jobId, rounds);
      if (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value!);
    }
    rounds.set(round, { delta: Float64Array.from(delta), numExamples });
  }

  /** The messages that disclose a job's kept rounds, in round order; throws when there are none. */
  messages(task: tessera.v1.ITaskRef): tessera.v1.IValuationUpdate[] {
    const rounds = this.jobs.get(task.jobId ?? '');
    if (!rounds?.size)
      throw new Error(
        `this node kept no training updates of job ${task.jobId} (it may have restarted since); ` +
          'nothing to disclose for valuation',
      );
    const ordered = [...rounds].sort(([a], [b]) => a - b);
    return ordered.map(([round, r], index) => ({
      task,
      round,
      index,
      total: ordered.length,
      numExamples: r.numExamples,
      delta: r.delta as unknown as number[],
    }));
  }

  /** Forgets a job's updates (after disclosing them, or when the job is over). */
  forget(jobId: string): void {
    this.jobs.delete(jobId);
  }
}
