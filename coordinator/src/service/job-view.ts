import { tessera } from '@tessera/proto';
import { epsilonOfRdp, jobRdp } from '@tessera/fl';
import { parseContext, type JobContext } from '../jobs/job-context.js';
import {
  accountingSampleRate,
  parseJobSpec,
  parseScoreSpec,
  privacyViewOf,
  scorePrivacyViewOf,
  type JobSpec,
} from '@tessera/jobs';
import type { JobRecord, JobStatus, Store } from '../store/store.js';

const STATUS: Record<JobStatus, tessera.v1.JobStatus> = {
  pending: tessera.v1.JobStatus.PENDING,
  running: tessera.v1.JobStatus.RUNNING,
  completed: tessera.v1.JobStatus.COMPLETED,
  failed: tessera.v1.JobStatus.FAILED,
  cancelled: tessera.v1.JobStatus.CANCELLED,
};

const finiteMetrics = (m: Record<string, number>) =>
  Object.entries(m)
    .filter(([, v]) => typeof v === 'number')
    .map(([name, value]) => ({ name, value }));

/** The wire view of a job: its record plus the round history. */
export async function jobMessage(store: Store, job: JobRecord): Promise<tessera.v1.Job> {
  const context = parseContext(job.contextJson);
  const rounds = await store.listRounds(job.id);
  return tessera.v1.Job.create({
    id: job.id,
    name: job.name,
    status: STATUS[job.status],
    specJson: publicSpecJson(job.specJson),
    roundsCompleted: job.roundsCompleted,
    roundsTotal: job.roundsTotal,
    createdUnixMs: job.createdAt,
    updatedUnixMs: job.updatedAt,
    error: job.error,
    featureNames: context.featureNames ?? [],
    privacySpend: privacySpendOf(job, context),
    refusals: context.refusals ?? [],
    payoutsJson: context.payouts ? JSON.stringify(context.payouts) : '',
    analystIdentity: context.analystIdentity ?? '',
    owner: job.owner ?? '',
    privacyJson: privacyJsonOf(job, context),
    resultJson: (context as { result?: unknown }).result
      ? JSON.stringify((context as { result?: unknown }).result)
      : '',
    history: rounds.map((r) => ({
      round: r.round,
      stage: r.stage,
      status: r.status,
      contributors: r.contributors,
      dropped: r.dropped,
      metrics: finiteMetrics(r.metrics),
      seconds: r.seconds,
      error: r.error,
      attempt: r.attempt,
    })),
  });
}

/** The stored spec as analysts see it: a payout's validation rows are summarised, not echoed with every job event. */
function publicSpecJson(specJson: string): string {
  if (!specJson.includes('"payout"')) return specJson;
  const spec = JSON.parse(specJson) as { payout?: { validation?: { csv?: string; source?: string } } };
  const v = spec.payout?.validation;
  if (!v?.csv) return specJson;
  const rows = v.csv.trim().split('\n').length - 1;
  return JSON.stringify({
    ...spec,
    payout: {
      ...spec.payout,
      validation: { source: v.source, csv: `(${rows} validation rows held by the coordinator)` },
    },
  });
}

/** A private training or score job's guarantee as the view states it (PrivacyView), or '' for others. */
function privacyJsonOf(job: JobRecord, context: JobContext): string {
  if ((JSON.parse(job.specJson) as { kind?: string }).kind === 'score') {
    // A private score is one release, charged by every participant that answered once the job ran.
    const spec = parseScoreSpec(JSON.parse(job.specJson));
    const view = spec.privacy && scorePrivacyViewOf(spec, job.status === 'pending' ? 0 : spec.privacy.epsilon);
    return view ? JSON.stringify(view) : '';
  }
  const z = context.privacy?.noiseMultiplier;
  if (!z) return '';
  const spec = JSON.parse(job.specJson) as JobSpec;
  if (spec.kind !== 'train') return '';
  const spent = Math.max(0, ...privacySpendOf(job, context).map((p) => Number(p.epsilon ?? 0)));
  const view = privacyViewOf(spec, z, spent);
  // A payout valued by records releases its own noisy counts, shown beside the training's guarantee.
  const epsilon = view && spec.payout ? parseJobSpec(JSON.parse(job.specJson)).payout?.epsilon : undefined;
  // As charged (payout-settlement.ts): every attempt of the count whose tasks went out, released or not.
  const released = context.valuation?.method === 'records' ? context.valuation : undefined;
  const charged = released
    ? { epsilon: released.epsilon, delta: released.delta ?? view?.delta }
    : { epsilon: context.payouts?.valuationEpsilon ?? epsilon, delta: context.payouts?.valuationDelta ?? view?.delta };
  if (view && epsilon !== undefined)
    view.valuation = {
      method: 'records',
      epsilon: charged.epsilon ?? epsilon,
      delta: charged.delta ?? view.delta,
      released: released !== undefined,
    };
  return view ? JSON.stringify(view) : '';
}

/** Epsilon each participant spent in this job, from the rounds it was charged for and the job's noise. */
function privacySpendOf(job: JobRecord, context: JobContext): tessera.v1.IParticipantSpend[] {
  const z = context.privacy?.noiseMultiplier;
  if (!z || !context.privacySpend) return [];
  const spec = JSON.parse(job.specJson) as JobSpec;
  return Object.entries(context.privacySpend).map(([participantId, done]) => ({
    participantId,
    rounds: done.rounds,
    statisticsReleases: done.statistics,
    epsilon: epsilonOfRdp(jobRdp(z, accountingSampleRate(spec), done.rounds, done.statistics), spec.privacy.delta),
  }));
}

export const isFinished = (s: JobStatus) => s === 'completed' || s === 'failed' || s === 'cancelled';
