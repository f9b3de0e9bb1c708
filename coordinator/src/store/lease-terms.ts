/** The arguments of the stores' job-lease methods, checked the same way by both. */

/** Refuses a lease lifetime that is not a positive number of milliseconds, or a batch size that is negative. */
export function checkLeaseTerms(holder: string, ttlMs: number, limit = 0): void {
  if (holder === '') throw new RangeError('a job lease needs a holder: the replica id, e.g. its host name and pid');
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`a job lease lasts a positive whole number of milliseconds (ttlMs), got ${ttlMs}`);
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`the number of job leases to take (limit) is a whole number, 0 or more; got ${limit}`);
}

/** The job statuses a replica drives, so whose leases are taken. */
export const LEASED_STATUSES = ['pending', 'running'] as const;
