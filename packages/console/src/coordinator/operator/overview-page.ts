/**
 * /operator: how the federation stands. Participants online of enrolled, jobs by state, live replicas; the jobs under
 * way (never their results: those are the analyst's); the latest failed rounds and jobs with why they failed; and
 * the latest refusals: which participant's owner (budget, consent, query rules) refused what.
 */
import {
  DEFAULT_LEASE_SECONDS,
  jobMessage,
  type Coordinator,
  type JobRecord,
  type JobStatus,
  type RoundRecord,
} from '@tessera/coordinator';
import { page, table, when, card } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';

const STATES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
/** The newest jobs whose rounds the failures table looks through, and how many failures it shows. */
const RECENT_JOBS = 25;
const FAILURES_SHOWN = 10;
export function registerOverviewPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator', async (request, reply) => {
    const session = c.require(request, 'operator');
    const body = `${await cards(coordinator)}
<h2>Jobs under way</h2>
${await jobsUnderWay(coordinator)}
${await failures(coordinator)}
${await refusals(coordinator)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Overview', nav: OPERATOR_NAV, session, body }));
  });
}

async function cards(coordinator: Coordinator): Promise<string> {
  const store = coordinator.store;
  const ttlMs = (coordinator.options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const [participants, counts, replicas] = await Promise.all([
    store.listParticipants(),
    store.countJobsByStatus(),
    store.liveReplicas(Date.now() - ttlMs),
  ]);
  const online = coordinator.registry.connected().length;
  const active = participants.filter((p) => p.status === 'active').length;
  return `<div class="cards">
${card(
  online,
  `participants online of <span data-testid="enrolled-count">${participants.length}</span> enrolled
(${active} active)`,
  'online-count',
)}
${STATES.map((s) => card(counts[s] ?? 0, `jobs ${s}`, `jobs-${s}`)).join('\n')}
${card(replicas.length, replicas.length === 1 ? 'replica live' : 'replicas live', 'replicas-live')}
</div>`;
}

async function jobsUnderWay(coordinator: Coordinator): Promise<string> {
  const jobs = await coordinator.store.jobsWithStatus(['pending', 'running']);
  return table(
    ['Job', 'Name', 'Analyst', 'Round', 'Status', 'Now', 'Updated'],
    jobs.map((j) => {
      const id = esc(j.id);
      return [
        id,
        esc(j.name),
        esc(j.owner || '–'),
        `<span data-testid="job-${id}-round">${roundOf(j)}</span>`,
        `<span class="badge ${esc(j.status)}" data-testid="job-${id}-status">${esc(j.status)}</span>`,
        esc(coordinator.events.standingOf(j.id) ?? ''),
        esc(when(j.updatedAt)),
      ];
    }),
    'no job is under way',
  );
}

/** "round 3 of 10" while it runs (the round under way), "10 of 10" once all are done. */
const roundOf = (j: JobRecord) =>
  j.roundsTotal > 0 ? `${Math.min(j.roundsCompleted + 1, j.roundsTotal)} of ${j.roundsTotal}` : '–';

async function failures(coordinator: Coordinator): Promise<string> {
  const store = coordinator.store;
  const recent = await store.listJobs(RECENT_JOBS);
  const rounds = (await Promise.all(recent.map((j) => store.listRounds(j.id))))
    .flat()
    .filter((r) => r.status === 'failed')
    .sort((a, b) => b.finishedAt - a.finishedAt)
    .slice(0, FAILURES_SHOWN);
  const failedJobs = recent.filter((j) => j.status === 'failed').slice(0, FAILURES_SHOWN);
  const names = new Map(recent.map((j) => [j.id, j.name]));
  return `<h2>Latest failed rounds</h2>
${table(
  ['Job', 'Name', 'Round', 'Stage', 'Attempt', 'Contributors', 'Finished', 'Why it failed'],
  rounds.map((r: RoundRecord) => [
    esc(r.jobId),
    esc(names.get(r.jobId) ?? ''),
    String(r.round),
    esc(r.stage),
    String(r.attempt),
    String(r.contributors),
    esc(when(r.finishedAt)),
    `<span class="error">${esc(r.error || 'no reason recorded')}</span>`,
  ]),
  `no round failed in the latest ${RECENT_JOBS} jobs`,
)}
<h2>Latest failed jobs</h2>
${table(
  ['Job', 'Name', 'Analyst', 'Rounds done', 'Updated', 'Why it failed'],
  failedJobs.map((j) => [
    esc(j.id),
    esc(j.name),
    esc(j.owner || '–'),
    `${j.roundsCompleted} of ${j.roundsTotal}`,
    esc(when(j.updatedAt)),
    `<span class="error">${esc(j.error || 'no reason recorded')}</span>`,
  ]),
  `none of the latest ${RECENT_JOBS} jobs failed`,
)}`;
}

/** Participants' refusals in the newest jobs: who refused which job's stage, and why (their budget, a grant...). */
async function refusals(coordinator: Coordinator): Promise<string> {
  const store = coordinator.store;
  const recent = await store.listJobs(RECENT_JOBS);
  const names = new Map((await store.listParticipants()).map((p) => [p.id, p.name]));
  const rows = (await Promise.all(recent.map(async (j) => ({ j, m: await jobMessage(store, j) }))))
    .flatMap(({ j, m }) =>
      (m.refusals ?? []).map((r) => [
        esc(j.id),
        esc(j.owner || '–'),
        esc(names.get(r.participantId ?? '') ?? r.participantId ?? ''),
        esc(r.stage ?? ''),
        String(r.round ?? 0),
        `<span class="bad">${esc(r.reason ?? '')}</span>`,
      ]),
    )
    .slice(0, FAILURES_SHOWN * 2);
  return `<h2>Latest refusals</h2>
${table(
  ['Job', 'Analyst', 'Participant', 'Stage', 'Round', "Why (the owner's terms)"],
  rows,
  `no participant refused work in the latest ${RECENT_JOBS} jobs`,
)}`;
}
