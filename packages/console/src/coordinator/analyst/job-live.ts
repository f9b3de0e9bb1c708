/**
 * /jobs/:id/events and the live section of a job's page: round i of n, the stage and what the job waits for,
 * contributors and dropped participants, refusals and failed rounds with why, and the charts by round. The page
 * renders the same fragment inside its data-live element; the stream sends it again after each job event.
 */
import { isFinished, type Coordinator } from '@tessera/coordinator';
import { card, postForm, table } from '../../http/page.js';
import type { Session } from '../../http/sessions.js';
import { esc } from '../../report/svg.js';
import type { CoordinatorConsoleContext } from '../console-context.js';
import { jobDataOf, type JobData } from './job-data.js';
import { privacySection, resultSection } from './job-results.js';
import { streamLive, type LiveStreamTimes } from '../../http/live-stream.js';
import { requireOwnJob, roundCounter } from './own-job.js';
import { roundCharts } from './round-charts.js';

/** How often a stream also looks at the job's record, for changes no event announced (e.g. another replica's). */
const POLL_MS = 1000;

/** The live section of a job as HTML (escaped), from what the store and the job's events hold now. */
export async function liveSection(coordinator: Coordinator, d: JobData, session: Session): Promise<string> {
  const { job, history, message } = d;
  const names = new Map((await coordinator.store.listParticipants()).map((p) => [p.id, p.name]));
  const cancel = isFinished(job.status)
    ? ''
    : `<p>${postForm(`/jobs/${encodeURIComponent(job.id)}/cancel`, 'Cancel the job', session, {}, 'danger')}</p>`;
  const stage = currentStage(d);
  const standing = coordinator.events.standingOf(job.id);
  const latest = [...history].reverse().find((h) => h.status === 'completed');
  const dropped = [...new Set(history.flatMap((h) => h.dropped))];
  const refusals = (message.refusals ?? []).map((r) => [
    esc(r.participantId ?? ''),
    esc(r.stage ?? ''),
    esc(String(r.round ?? 0)),
    `<span class="bad">${esc(r.reason ?? '')}</span>`,
  ]);
  const failed = history
    .filter((h) => h.status !== 'completed')
    .map((h) => [
      esc(String(h.round)),
      esc(h.stage),
      esc(String(h.attempt)),
      `<span class="badge ${esc(h.status)}">${esc(h.status)}</span>`,
      `<span class="error">${esc(h.error || 'no reason recorded')}</span>`,
    ]);
  const fig = (n: string, label: string, testid: string) => card(n, esc(label), testid);
  return `${cancel}<div class="cards">
${fig(roundCounter(job), 'round', 'round-counter')}
${fig(job.status, 'status', 'job-status')}
${fig(stage, 'stage', 'job-stage')}
${fig(String(latest?.contributors ?? 0), 'contributors (latest round)', 'contributors')}
${fig(String(dropped.length), 'dropped', 'dropped-count')}
${fig(String(refusals.length), 'refusals', 'refusal-count')}
</div>
${standing && !isFinished(job.status) ? `<p class="meta" data-testid="job-standing">${esc(standing)}</p>` : ''}
${job.error ? `<p class="error" data-testid="job-error">${esc(job.error)}</p>` : ''}
${dropped.length ? `<p class="meta" data-testid="dropped">dropped: ${dropped.map(esc).join(', ')}</p>` : ''}
${roundCharts(history)}
${refusals.length ? `<h3>Refusals</h3>${table(['Participant', 'Stage', 'Round', 'Why'], refusals)}` : ''}
${failed.length ? `<h3>Failed rounds</h3>${table(['Round', 'Stage', 'Attempt', 'Status', 'Why'], failed)}` : ''}
${privacySection(d, names)}
${resultSection(d)}`;
}

/** The stage a training job is at (its context says), else the newest round's stage; "done" once finished. */
function currentStage(d: JobData): string {
  if (isFinished(d.job.status)) return d.job.status === 'completed' ? 'done' : d.job.status;
  try {
    const stage = (JSON.parse(d.job.contextJson || '{}') as { stage?: unknown }).stage;
    if (typeof stage === 'string' && stage) return stage;
  } catch {
    // An unreadable context: fall back to the history.
  }
  return d.history.at(-1)?.stage ?? (d.job.status === 'pending' ? 'waiting to start' : 'starting');
}

export function registerJobLive({ coordinator, console: c }: CoordinatorConsoleContext, times: LiveStreamTimes): void {
  c.app.get('/jobs/:id/events', async (request, reply) => {
    const { job, session } = await requireOwnJob(c, coordinator, request);
    const id = job.id;
    streamLive(
      request,
      reply,
      {
        render: async () => {
          const now = (await coordinator.store.getJob(id)) ?? job;
          return {
            html: await liveSection(coordinator, await jobDataOf(coordinator, now), session),
            finished: isFinished(now.status),
          };
        },
        stillValid: c.stillValid(request),
        watch: (changed) => {
          const onEvent = () => changed();
          coordinator.events.on(id, onEvent);
          let seen = job.updatedAt;
          const poll = setInterval(() => {
            void coordinator.store.getJob(id).then(
              (j) => {
                if (j && j.updatedAt !== seen) {
                  seen = j.updatedAt;
                  changed();
                }
              },
              () => undefined,
            );
          }, POLL_MS);
          return () => {
            coordinator.events.off(id, onEvent);
            clearInterval(poll);
          };
        },
      },
      times,
    );
  });
}
