import { DEFAULT_ORDERS } from '@tessera/dp';
import { epsilonOfRdp, jobRdp } from '@tessera/fl';
import { stageName, tessera } from '@tessera/proto';
import type { DatasetBudget } from '../config.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { PrivacyPlan } from './privacy-plan.js';
import { overlapCharge } from './overlap-release.js';
import { checkTask, type CheckedTask } from './release-check.js';
import {
  valuationCountRelease,
  valuationCountReleaseOfJob,
  type ValuationCountRelease,
} from './valuation-count-check.js';

const pb = tessera.v1;

/**
 * One release's cost: its RDP curve, the sampling rate it was accounted at, and its own (epsilon, delta) when
 * calibrated to one.
 */
interface Release {
  rdp: number[];
  sampleRate: number;
  approx?: { epsilon: number; delta: number };
}

/**
 * What a task asks for: the plan its releases are charged at, the release this stage computes (if any), the whole
 * job's RDP when this stage is where the whole job is checked, and then also the payout's valuation count the job's
 * signed spec asks for after its last round (charged at that stage; checked here with the rest of the job).
 */
interface Request {
  plan?: PrivacyPlan;
  release?: Release;
  wholeJob?: number[];
  valuation?: ValuationCountRelease;
}

/**
 * Whether a task is where its whole job's cost is checked against the budget (nothing charged for it): the schema
 * step of a train job, a single query, and a recommend or catalogue job's first round (each of its releases is then
 * charged as it is computed, so a job the budget cannot finish is refused before its first release).
 */
function checksWholeJob(task: tessera.v1.ITask, stage: number, plan: PrivacyPlan): boolean {
  if (stage === pb.Stage.RECOMMEND)
    return Number(task.recommend?.phase) === pb.RecommendTask.Phase.TRAIN && Number(task.recommend?.round ?? 0) === 1;
  if (stage === pb.Stage.CATALOGUE) return Number(task.catalogue?.round ?? 0) === 1;
  return stage === pb.Stage.SCHEMA || (stage === pb.Stage.QUERY && plan.rounds === 0 && plan.fullReleases === 1);
}

/** A refusal on privacy grounds; its message names the data set, the budget, the spent amount and the request. */
export class BudgetRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetRefusal';
  }
}

/** Stage names as the audit log writes them: one list, shared with the coordinator. */
export { stageName } from '@tessera/proto';
export const fmtEpsilon = (v: number) => (v === 0 ? '0' : v < 0.01 ? v.toExponential(2) : v.toFixed(3));

const fmt = fmtEpsilon;

/**
 * Enforces the owner's privacy budgets where the data lives: before a task reads a data set,
 * checks what the job costs against what the ledger says is spent, refuses (with a reason that
 * names the data set, budget, spent amount and request) or charges the release durably first.
 * Every admitted read is recorded as a data use, so the audit shows exactly what was read.
 */
export class PrivacyGuard {
  constructor(
    private readonly ledger: PrivacyLedger,
    private readonly budgets: Readonly<Record<string, DatasetBudget | undefined>>,
  ) {}

  epsilonOf(rdp: readonly number[], delta: number): number {
    return epsilonOfRdp(rdp, delta);
  }

  /**
   * Epsilon at `delta` of releases composed two ways, whichever is smaller: the RDP curves summed
   * order by order and converted; or, when every release has its own (epsilon_i, delta_i)
   * (single queries calibrated by the analytic Gaussian), basic composition: (sum epsilon_i,
   * sum delta_i), valid at `delta` when sum delta_i <= delta. Both are true bounds; the second is
   * tighter for a few single releases, whose RDP conversion reads a little above their epsilon.
   */
  composedEpsilon(
    rdp: readonly number[],
    approx: readonly { epsilon: number; delta: number }[] | undefined,
    delta: number,
  ): number {
    const viaRdp = this.epsilonOf(rdp, delta);
    if (!approx || approx.length === 0) return viaRdp;
    const d = approx.reduce((a, x) => a + x.delta, 0);
    return d <= delta
      ? Math.min(
          viaRdp,
          approx.reduce((a, x) => a + x.epsilon, 0),
        )
      : viaRdp;
  }

  private spentEpsilon(dataset: string, delta: number): number {
    return this.composedEpsilon(
      this.ledger.spentRdp(dataset, DEFAULT_ORDERS.length),
      this.ledger.spentApprox(dataset),
      delta,
    );
  }

  /** What this node reports to the coordinator in its hello. */
  report(): tessera.v1.IDatasetBudget[] {
    return Object.entries(this.budgets).flatMap(([dataset, b]) =>
      b
        ? [
            {
              dataset,
              epsilon: b.epsilon,
              delta: b.delta,
              unit: b.unit,
              spentEpsilon: this.spentEpsilon(dataset, b.delta),
            },
          ]
        : [],
    );
  }

  /**
   * Admits a task before any data is read, or throws BudgetRefusal or PrivacyRefusal. The task is
   * first checked against the job's spec and this node's protection of the data set (checkTask:
   * only private releases read a protected data set, at the spec's parameters). The schema task of
   * a private job checks the whole job's cost; each release (a private statistics part, a FIT round,
   * a query) is checked and charged, at this node's own plan, in one SQLite transaction before it is
   * computed (with the consent grant it was admitted under, if any). Returns the epsilon this
   * release spends (at the budget's delta, or 1e-5), 0 if none, and the checked task.
   */
  admit(task: tessera.v1.ITask, stage: number, grantId?: string): { epsilon: number; checked: CheckedTask } {
    const dataset = task.dataset ?? '';
    const budget = this.budgets[dataset];
    const checked = checkTask(task, stage, budget !== undefined);
    const request = this.requestFor(checked, task, stage);
    const { plan, release } = request;
    const ref = task.ref ?? {};
    return this.ledger.atomically(() => {
      if (budget) this.check(task, budget, stage, request);
      if (plan && release) {
        this.ledger.charge({
          at: Date.now(),
          dataset,
          jobId: ref.jobId ?? '',
          round: Number(ref.round ?? 0),
          attempt: Number(ref.attempt ?? 0),
          unit: plan.unit,
          noiseMultiplier: plan.noiseMultiplier,
          sampleRate: release.sampleRate,
          rdp: release.rdp,
          ...(grantId !== undefined ? { grantId } : {}),
          ...(release.approx ? { approx: release.approx } : {}),
        });
        return {
          epsilon: this.composedEpsilon(
            release.rdp,
            release.approx ? [release.approx] : undefined,
            budget?.delta ?? 1e-5,
          ),
          checked,
        };
      }
      return { epsilon: 0, checked };
    });
  }

  /**
   * What a task asks for, as `check` counts it: the plan its releases are charged at (this node's
   * own, derived from the job's spec; none: not private), the release this stage computes (if any),
   * and the whole job's RDP when this stage is where the whole job is checked (the schema stage, or
   * a one-release query), with the payout's valuation count release apart (`valuation`: a training
   * job whose signed spec asks for `payout.valuation: records` under DP). Throws PrivacyRefusal for a
   * task this node will not run.
   */
  requestOf(task: tessera.v1.ITask, stage: number): Request {
    return this.requestFor(checkTask(task, stage, this.budgets[task.dataset ?? ''] !== undefined), task, stage);
  }

  private requestFor(checked: CheckedTask, task: tessera.v1.ITask, stage: number): Request {
    const plan = checked.plan;
    if (!plan) return {};
    const release = this.releaseOf(task, plan, stage);
    const wholeJob = checksWholeJob(task, stage, plan);
    const valuation = wholeJob ? valuationCountReleaseOfJob(task) : undefined;
    return {
      plan,
      ...(release ? { release } : {}),
      ...(wholeJob ? { wholeJob: jobRdp(plan.noiseMultiplier, plan.sampleRate, plan.rounds, plan.fullReleases) } : {}),
      ...(valuation ? { valuation } : {}),
    };
  }

  /**
   * The RDP cost of the release this task computes, if it is one. A FIT round costs one round at
   * the plan's sampling rate: 1 in distributed and local modes, whose guarantee holds against the
   * coordinator that draws each round's participants (no amplification by a sample it knows).
   */
  private releaseOf(task: tessera.v1.ITask, plan: PrivacyPlan, stage: number): Release | undefined {
    if (stage === pb.Stage.FIT)
      return { rdp: jobRdp(plan.noiseMultiplier, plan.sampleRate, 1, 0), sampleRate: plan.sampleRate };
    // A recommend step (a round's item update, or the evaluation) is one full Gaussian release of the job's noise.
    if (stage === pb.Stage.RECOMMEND || stage === pb.Stage.CATALOGUE)
      return { rdp: jobRdp(plan.noiseMultiplier, 1, 0, 1), sampleRate: 1 };
    if (stage === pb.Stage.STATISTICS && task.statistics)
      return { rdp: jobRdp(plan.noiseMultiplier, 1, 0, 1), sampleRate: 1 };
    // A payout's noisy row counts (valuation records): one release at the payout's own epsilon and z.
    if (stage === pb.Stage.VALUATION_COUNT) return valuationCountRelease(task);
    // One noisy overlap count: pure epsilon-DP (discrete Laplace), charged at (epsilon, 0).
    if (stage === pb.Stage.OVERLAP) return { ...overlapCharge(plan.epsilon), sampleRate: 1 };
    if (stage === pb.Stage.QUERY || stage === pb.Stage.SCORE) {
      // A single query's (or private score's) noise is calibrated to (epsilon, delta) directly (analytic Gaussian, or
      // the RDP conversion): at a noise multiplier at least this node's own, that guarantee holds.
      return {
        rdp: jobRdp(plan.noiseMultiplier, 1, 0, 1),
        sampleRate: 1,
        ...(plan.rounds === 0 && plan.fullReleases === 1
          ? { approx: { epsilon: plan.epsilon, delta: plan.delta } }
          : {}),
      };
    }
    return undefined;
  }

  /**
   * The data set's budget delta, or 1e-5 without a budget: the delta at which epsilons of this data set are reported.
   */
  deltaOf(dataset: string): number {
    return this.budgets[dataset]?.delta ?? 1e-5;
  }

  recordUse(task: tessera.v1.ITask, stage: number, rows: number): void {
    this.ledger.recordUse({
      at: Date.now(),
      dataset: task.dataset ?? '',
      jobId: task.ref?.jobId ?? '',
      stage: stageName(stage),
      round: Number(task.ref?.round ?? 0),
      rows,
    });
  }

  private check(task: tessera.v1.ITask, budget: DatasetBudget, stage: number, asked: Request): void {
    const { plan, release, valuation } = asked;
    const dataset = task.dataset ?? '';
    const what =
      `privacy budget of data set "${dataset}" ` +
      `(epsilon ${budget.epsilon} at delta ${budget.delta}, unit ${budget.unit})`;
    if (!plan) {
      throw new BudgetRefusal(
        `${what}: this data set serves only differentially private jobs, and this job has privacy.mode none; ` +
          'ask for privacy.mode distributed, central or local',
      );
    }
    if (budget.unit === 'participant' && plan.unit === 'record') {
      throw new BudgetRefusal(
        `${what}: the budget protects this participant's whole data, and the job protects single records only; ` +
          'ask for privacy.unit participant',
      );
    }
    const wholeJob = asked.wholeJob;
    if (!wholeJob && !release) return;
    const spent = this.ledger.spentRdp(dataset, DEFAULT_ORDERS.length);
    const spentApprox = this.ledger.spentApprox(dataset);
    // The whole job with its payout's valuation count, composed as that count's own charge will be: its RDP curve
    // summed, its (epsilon, delta) added only when every other part has one too.
    const request = wholeJob ? (valuation ? wholeJob.map((v, i) => v + valuation.rdp[i]!) : wholeJob) : release!.rdp;
    const ownApprox = release?.approx && (!wholeJob || plan.rounds === 0) ? [release.approx] : undefined;
    const requestApprox = valuation ? (ownApprox ? [...ownApprox, valuation.approx] : undefined) : ownApprox;
    const total = this.composedEpsilon(
      // Both are curves over DEFAULT_ORDERS; a shorter one would sum to NaN, which epsilonOf refuses.
      spent.map((v, i) => v + request[i]!),
      spentApprox && requestApprox ? [...spentApprox, ...requestApprox] : undefined,
      budget.delta,
    );
    if (total > budget.epsilon * (1 + 1e-12)) {
      const spentEpsilon = this.composedEpsilon(spent, spentApprox, budget.delta);
      const asks = this.composedEpsilon(request, requestApprox, budget.delta);
      const parts = [
        `${plan.rounds} rounds`,
        ...(plan.fullReleases ? [`${plan.fullReleases} statistics releases`] : []),
        ...(valuation ? ["the payout's valuation count"] : []),
      ];
      const job = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0];
      const says =
        wholeJob && (stage === pb.Stage.RECOMMEND || stage === pb.Stage.CATALOGUE)
          ? `this ${stageName(stage)} job asks for ${fmt(asks)} (${plan.fullReleases} releases)`
          : wholeJob && plan.rounds === 0 && !valuation
            ? `this query asks for ${fmt(asks)}`
            : wholeJob
              ? `this job asks for ${fmt(asks)} (${job})`
              : `this ${stageName(stage)} release asks for ${fmt(asks)}`;
      throw new BudgetRefusal(
        `${what} would be exceeded: spent ${fmt(spentEpsilon)}, ${says}, ${fmt(total)} in all; ` +
          'refused before reading any data (the owner can raise the budget in the participant config, ' +
          'or the analyst can ask for a smaller epsilon)',
      );
    }
  }
}
