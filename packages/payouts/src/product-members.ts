/** A product's members and their weights: each contributor's value combined over the product's jobs. */
import { PayoutInputError } from './payout-input-error.js';
import type { JobValuation, ProductMember, ProductValuation } from './sales-types.js';

/** One job of a product and the valuation its context keeps. */
export interface ProductJob {
  job: string;
  valuation: JobValuation;
}

/**
 * The members of a product built from `jobs`, sorted by participant id (UTF-16 code unit order). Per job each member's
 * share is max(0, value) / the sum of the job's positive values; a member's product value is the mean of its shares
 * over all the jobs (0 in a job it is not in), and its `share` is that value over the sum of the members' values.
 * With `equal` every contributor of a job has value 1 there. Throws a PayoutInputError naming the job when a job has
 * no member with a positive value (nothing to split by), a member twice, or a value that is not a finite number.
 */
export function productMembers(jobs: readonly ProductJob[], valuation: ProductValuation): ProductMember[] {
  if (jobs.length === 0) throw new PayoutInputError('jobs', 'jobs must list at least one job of the product');
  if (valuation !== 'job' && valuation !== 'equal')
    throw new PayoutInputError('valuation', `valuation must be "job" or "equal", got ${JSON.stringify(valuation)}`);
  const byMember = new Map<string, ProductMember>();
  const seenJobs = new Set<string>();
  for (const { job, valuation: v } of jobs) {
    if (seenJobs.has(job)) throw new PayoutInputError('jobs', `job ${job} is listed twice; give each job once`);
    seenJobs.add(job);
    const method = valuation === 'equal' ? 'equal' : v.method;
    const seen = new Set<string>();
    const rows = v.members.map(({ participant, value, groups }) => {
      if (typeof participant !== 'string' || participant === '')
        throw new PayoutInputError('jobs', `job ${job}: a member's participant must be a non-empty string`);
      if (seen.has(participant))
        throw new PayoutInputError('jobs', `job ${job}: participant ${participant} is listed twice in its valuation`);
      seen.add(participant);
      if (valuation === 'job' && !(typeof value === 'number' && Number.isFinite(value)))
        throw new PayoutInputError(
          'jobs',
          `job ${job}: the value of participant ${participant} must be a finite number, got ${String(value)}`,
        );
      return { participant, value: valuation === 'equal' ? 1 : value, groups };
    });
    const total = rows.reduce((a, r) => a + Math.max(0, r.value), 0);
    if (!(total > 0))
      throw new PayoutInputError(
        'jobs',
        `job ${job} has no member with a positive ${method} value, so a sale cannot be split by it ` +
          '(list the product with --valuation equal, or leave the job out)',
      );
    for (const r of rows) {
      const m = byMember.get(r.participant) ?? { participant: r.participant, value: 0, share: 0, jobs: [] };
      m.value += Math.max(0, r.value) / total;
      m.jobs.push({
        job,
        method,
        value: r.value,
        ...(valuation === 'job' && r.groups !== undefined ? { groups: [...r.groups] } : {}),
      });
      byMember.set(r.participant, m);
    }
  }
  const members = [...byMember.values()].sort((a, b) =>
    a.participant < b.participant ? -1 : a.participant > b.participant ? 1 : 0,
  );
  for (const m of members) m.value /= jobs.length;
  const sum = members.reduce((a, m) => a + m.value, 0);
  for (const m of members) m.share = m.value / sum;
  return members;
}
