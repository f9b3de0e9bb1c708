/**
 * /operator/replicas: the coordinator replicas sharing this database that said they were alive within a lease
 * lifetime, and who holds the lease of each job under way (the replica that drives it, until the lease expires).
 */
import { DEFAULT_LEASE_SECONDS, type JobRecord, type JobLease } from '@tessera/coordinator';
import { page, table, when } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';

/** When a lease expires; a released one (expiry 0) or an expired one waits for a replica to take the job over. */
function leaseExpiry(l: JobLease, now: number): string {
  if (l.expiresAt === 0) return '<span class="meta">released: waiting for a replica to take it</span>';
  if (l.expiresAt < now) return `<span class="bad">expired ${esc(when(l.expiresAt))}: a replica takes it over</span>`;
  return esc(when(l.expiresAt));
}

export function registerReplicasPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator/replicas', async (request, reply) => {
    const session = c.require(request, 'operator');
    const now = Date.now();
    const ttlMs = (coordinator.options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
    const replicas = await coordinator.store.liveReplicas(now - ttlMs);
    const jobs = await coordinator.store.jobsWithStatus(['pending', 'running']);
    const leases = (
      await Promise.all(jobs.map(async (j) => [j, await coordinator.store.jobLease(j.id)] as const))
    ).filter((x): x is readonly [JobRecord, JobLease] => !!x[1]);
    const alone =
      replicas.length <= 1
        ? `<p class="meta" data-testid="one-replica">One replica: this coordinator (${esc(coordinator.replicaId)})
drives every job. Replicas share a PostgreSQL database; each drives the jobs whose lease it holds.</p>`
        : '';
    const body = `${alone}<h2>Live replicas</h2>
${table(
  ['Replica', 'Address', 'Started', 'Last heartbeat'],
  replicas.map((r) => [
    `${esc(r.id)}${r.id === coordinator.replicaId ? ' <span class="meta">(this one)</span>' : ''}`,
    esc(r.address),
    esc(when(r.startedAt)),
    `<span data-testid="replica-${esc(r.id)}-heartbeat">${esc(when(r.heartbeatAt))}</span>`,
  ]),
  'no replica said it was alive within the lease lifetime',
)}
<h2>Job leases</h2>
${table(
  ['Job', 'Name', 'Holder', 'Epoch', 'Expires'],
  leases.map(([j, l]) => [
    esc(j.id),
    esc(j.name),
    `<span data-testid="lease-${esc(j.id)}-holder">${esc(l.holder)}</span>`,
    String(l.epoch),
    leaseExpiry(l, now),
  ]),
  'no job under way holds a lease',
)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Replicas', nav: OPERATOR_NAV, session, body }));
  });
}
