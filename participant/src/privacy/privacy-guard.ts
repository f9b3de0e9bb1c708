import { DEFAULT_ORDERS, epsilonFor, subsampledGaussianRdpVector } from '@tessera/dp';
import { tessera } from '@tessera/proto';
import type { DatasetBudget } from '../config.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import { privacyPlanOf, type PrivacyPlan } from './privacy-plan.js';

const pb = tessera.v1;

/** A refusal on privacy grounds; its message names the data set, the budget, the spent amount and the request. */
export class BudgetRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetRefusal';
  }
}

const STAGE_NAMES: Record<number, string> = { [pb.Stage.SCHEMA]: 'schema', [pb.Stage.STATISTICS]: 'statistics', [pb.Stage.FIT]: 'fit', [pb.Stage.EVALUATE]: 'evaluate' };
export const stageName = (stage: number) => STAGE_NAMES[stage] ?? `stage ${stage}`;

const fmt = (v: number) => (v === 0 ? '0' : v < 0.01 ? v.toExponential(2) : v.toFixed(3));

/**
 * Enforces the owner's privacy budgets where the data lives: before a task reads a data set,
 * checks what the job costs against what the ledger says is spent, refuses (with a reason that
 * names the data set, budget, spent amount and request) or charges the release durably first.
 * Every admitted read is recorded as a data use, so the audit shows exactly what was read.
 */
export class PrivacyGuard {
  constructor(private readonly ledger: PrivacyLedger, private readonly budgets: Readonly<Record<string, DatasetBudget | undefined>>) {}

  private epsilonOf(rdp: readonly number[], delta: number): number {
    return rdp.every((v) => v === 0) ? 0 : epsilonFor(rdp, DEFAULT_ORDERS, delta).epsilon;
  }

  /** What this node reports to the coordinator in its hello. */
  report(): tessera.v1.IDatasetBudget[] {
    return Object.entries(this.budgets).flatMap(([dataset, b]) => (b ? [{
      dataset, epsilon: b.epsilon, delta: b.delta, unit: b.unit, spentEpsilon: this.epsilonOf(this.ledger.spentRdp(dataset, DEFAULT_ORDERS.length), b.delta),
    }] : []));
  }

  /**
   * Admits a task before any data is read, or throws BudgetRefusal. The schema task of a private
   * job checks the whole job's cost; each FIT task checks and charges one release.
   */
  admit(task: tessera.v1.ITask, stage: number): void {
    const dataset = task.dataset ?? '';
    const budget = this.budgets[dataset];
    const plan = privacyPlanOf(task);
    const ref = task.ref ?? {};
    if (budget) this.check(dataset, budget, plan, stage);
    if (plan && stage === pb.Stage.FIT) {
      this.ledger.charge({
        at: Date.now(), dataset, jobId: ref.jobId ?? '', round: Number(ref.round ?? 0), attempt: Number(ref.attempt ?? 0), unit: plan.unit,
        noiseMultiplier: plan.noiseMultiplier, sampleRate: plan.sampleRate, rdp: this.stepRdp(plan),
      });
    }
  }

  recordUse(task: tessera.v1.ITask, stage: number, rows: number): void {
    this.ledger.recordUse({ at: Date.now(), dataset: task.dataset ?? '', jobId: task.ref?.jobId ?? '', stage: stageName(stage), round: Number(task.ref?.round ?? 0), rows });
  }

  private stepRdp(plan: PrivacyPlan): number[] {
    return subsampledGaussianRdpVector(plan.noiseMultiplier, plan.sampleRate, 1, DEFAULT_ORDERS);
  }

  private check(dataset: string, budget: DatasetBudget, plan: PrivacyPlan | undefined, stage: number): void {
    const what = `privacy budget of data set "${dataset}" (epsilon ${budget.epsilon} at delta ${budget.delta}, unit ${budget.unit})`;
    if (!plan) {
      throw new BudgetRefusal(`${what}: this data set serves only differentially private jobs, and this job has privacy.mode none; ` +
        'ask for privacy.mode distributed, central or local');
    }
    if (budget.unit === 'participant' && plan.unit === 'record') {
      throw new BudgetRefusal(`${what}: the budget protects this participant's whole data, and the job protects single records only; ask for privacy.unit participant`);
    }
    if (stage !== pb.Stage.SCHEMA && stage !== pb.Stage.FIT) return;
    const spent = this.ledger.spentRdp(dataset, DEFAULT_ORDERS.length);
    const steps = stage === pb.Stage.SCHEMA ? plan.rounds : 1;
    const step = this.stepRdp(plan);
    const request = step.map((v) => v * steps);
    const total = this.epsilonOf(spent.map((v, i) => v + request[i]), budget.delta);
    if (total > budget.epsilon) {
      const spentEpsilon = this.epsilonOf(spent, budget.delta);
      const asked = stage === pb.Stage.SCHEMA ? `this job asks for ${fmt(this.epsilonOf(request, budget.delta))} (${plan.rounds} rounds)` : `this round asks for ${fmt(this.epsilonOf(request, budget.delta))}`;
      throw new BudgetRefusal(`${what} would be exceeded: spent ${fmt(spentEpsilon)}, ${asked}, ${fmt(total)} in all; ` +
        'refused before reading any data (the owner can raise the budget in the participant config, or the analyst can ask for a smaller epsilon)');
    }
  }
}
