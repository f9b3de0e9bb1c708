import {
  objectAt,
  parseWireJson,
  payoutsViewFromJson,
  privacyViewFromJson,
  type PayoutsView,
  type PrivacyView,
} from '@tessera/jobs';
import { tessera, type WireModel } from '@tessera/proto';

// What an analyst sees of jobs, rounds, budgets and results, and the decoding of a wire Job into it.

export type JobStatusName = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RoundView {
  round: number;
  stage: string;
  status: string;
  attempt: number;
  contributors: number;
  dropped: string[];
  metrics: Record<string, number>;
  seconds: number;
  error: string;
}

export type { PayoutsView };

/** A job as analysts see it. */
export interface JobView {
  id: string;
  name: string;
  status: JobStatusName;
  spec: Record<string, unknown>;
  roundsCompleted: number;
  roundsTotal: number;
  createdAt: Date;
  updatedAt: Date;
  error: string;
  featureNames: string[];
  history: RoundView[];
  /** Differential privacy each participant spent in this job (epsilon at the job's delta). */
  privacySpend: { participantId: string; epsilon: number; rounds: number; statisticsReleases: number }[];
  /** Participants that refused work on privacy grounds, with their reasons. */
  refusals: { participantId: string; stage: string; round: number; reason: string }[];
  /** Query jobs: the decoded result (rows with error bars), once completed. */
  result?: unknown;
  /** Jobs with a payout pool: how it was split (or why not), once valued. */
  payouts?: PayoutsView;
  /** Hex Ed25519 identity of the analyst that signed the submission ('' for a job from before signatures). */
  analystIdentity: string;
  /** The analyst (name) who submitted the job: the only one who sees it. */
  owner: string;
  /** Training jobs with differential privacy: the guarantee (target, spent, sampling, whom it protects against). */
  privacy?: PrivacyView;
}

/** A privacy budget a participant keeps for one data set, as it reported it. */
export interface BudgetView {
  dataset: string;
  epsilon: number;
  delta: number;
  unit: string;
  spentEpsilon: number;
}

export interface JobResult {
  job: JobView;
  round: number;
  label: string;
  modelType: string;
  featureNames: string[];
  features: { name: string; kind: 'numeric' | 'categorical'; categories?: string[] }[];
  mean: number[];
  std: number[];
  /** Standardised values are clamped to [-clip, clip] (0: no clamp). */
  standardisedClip: number;
  weights: Float64Array;
  /** The trained model's kind, task and shape (the header's ModelConfig; absent there: binary logistic). */
  model: WireModel & { optimiser: string };
}

const STATUS: Record<number, JobStatusName> = {
  [tessera.v1.JobStatus.PENDING]: 'pending',
  [tessera.v1.JobStatus.RUNNING]: 'running',
  [tessera.v1.JobStatus.COMPLETED]: 'completed',
  [tessera.v1.JobStatus.FAILED]: 'failed',
  [tessera.v1.JobStatus.CANCELLED]: 'cancelled',
};

export const isFinalStatus = (s: JobStatusName) => s === 'completed' || s === 'failed' || s === 'cancelled';

export function jobView(j: tessera.v1.IJob): JobView {
  return {
    id: j.id ?? '',
    name: j.name ?? '',
    status: STATUS[j.status ?? 0] ?? 'pending',
    spec: j.specJson ? objectAt(parseWireJson(j.specJson, 'spec_json'), 'spec_json') : {},
    roundsCompleted: j.roundsCompleted ?? 0,
    roundsTotal: j.roundsTotal ?? 0,
    createdAt: new Date(j.createdUnixMs ?? 0),
    updatedAt: new Date(j.updatedUnixMs ?? 0),
    error: j.error ?? '',
    featureNames: j.featureNames ?? [],
    history: (j.history ?? []).map((r) => ({
      round: r.round ?? 0,
      stage: r.stage ?? '',
      status: r.status ?? '',
      attempt: r.attempt ?? 1,
      contributors: r.contributors ?? 0,
      dropped: r.dropped ?? [],
      metrics: Object.fromEntries((r.metrics ?? []).map((m) => [m.name ?? '', Number(m.value)])),
      seconds: r.seconds ?? 0,
      error: r.error ?? '',
    })),
    privacySpend: (j.privacySpend ?? []).map((p) => ({
      participantId: p.participantId ?? '',
      epsilon: Number(p.epsilon ?? 0),
      rounds: p.rounds ?? 0,
      statisticsReleases: p.statisticsReleases ?? 0,
    })),
    refusals: (j.refusals ?? []).map((r) => ({
      participantId: r.participantId ?? '',
      stage: r.stage ?? '',
      round: r.round ?? 0,
      reason: r.reason ?? '',
    })),
    ...(j.resultJson ? { result: parseWireJson(j.resultJson, 'result_json') } : {}),
    ...(j.payoutsJson ? { payouts: payoutsViewFromJson(j.payoutsJson) } : {}),
    analystIdentity: j.analystIdentity ?? '',
    owner: j.owner ?? '',
    ...(j.privacyJson ? { privacy: privacyViewFromJson(j.privacyJson) } : {}),
  };
}
