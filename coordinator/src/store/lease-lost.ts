/**
 * A replica tried to write for a job whose lease it no longer holds: the lease expired, was released, or another
 * replica took the job over with a newer epoch. Nothing was written; the replica must stop driving the job.
 */
export class LeaseLost extends Error {
  constructor(
    readonly jobId: string,
    readonly holder: string,
    readonly epoch: number,
  ) {
    super(
      `replica ${holder} no longer holds the lease of job ${jobId} at epoch ${epoch} (it expired, was released, or ` +
        'another replica took the job over): nothing was written; stop driving the job and leave it to its holder',
    );
    this.name = 'LeaseLost';
  }
}
