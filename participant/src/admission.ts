// Admission: the signed spec, then consent, the privacy check and budget charge, before any handler reads data; audit.
import type { tessera } from '@tessera/proto';
import { analystOf, purposeOfStage, type ConsentDecision, type ConsentGuard } from './consent/consent-guard.js';
import type { LocalData } from './local-data.js';
import { stageName, type PrivacyGuard } from './privacy/privacy-guard.js';
import type { PrivacyLedger } from './privacy/privacy-ledger.js';
import type { CheckedTask } from './privacy/release-check.js';
import { checkProtection, type ProtectionPolicy } from './privacy/protection-minimums.js';
import { announcesDp } from './privacy/privacy-plan.js';
import { authorisationOf, checkAuthorised, type AuthorisationPolicy } from './privacy/spec-authorisation.js';
import { bindSpecToJob, checkNotReplayed } from './privacy/spec-replay.js';
import { bindExactCohort, checkExactCohort } from './privacy/exact-cohort.js';
import { checkRecommendReleases } from './privacy/recommend-releases.js';
import { checkCatalogueReleases } from './privacy/catalogue-releases.js';
import { checkOwnFeatures, FEATURE_STAGES, ownSchemaAnswer } from './privacy/train-features.js';
import type { JobMemory } from './job-memory.js';
import { valuationAuditNote } from './query-valuation.js';

/** A task admitted to read data (consent, then privacy budget): what `record` logs once it has run. */
export interface DataAdmission {
  task: tessera.v1.ITask;
  stage: number;
  consent: ConsentDecision;
  /** The task as the privacy check admitted it (its spec and this node's own plan). */
  checked: CheckedTask;
  /** Epsilon this release spent (at the data set budget's delta, or 1e-5); 0 if none. */
  epsilon: number;
}

/**
 * The one gate between a task and this node's data. Every task kind passes it before its handler
 * reads a row, so what the owner enforces (consent, privacy budgets, and whatever later checks
 * join them) lives here; `record` and `recordRefusal` write the data-use rows and the hash-chained
 * audit entries.
 */
export class Admission {
  constructor(
    private readonly ledger: PrivacyLedger,
    private readonly guard: PrivacyGuard,
    private readonly consent: ConsentGuard,
    private readonly data: LocalData,
    /** Analysts the owner trusts for sealed rounds without a signed spec (config trustedAnalysts). */
    private readonly authorisation: AuthorisationPolicy = { trustedAnalysts: [] },
    /** The node's own secure mode, cohort, threshold and roster minimums (protection-minimums.ts); none: unchecked. */
    private readonly protection?: ProtectionPolicy,
    /** The node's job state: its own schema answers, against which later train stages' features are checked. */
    private readonly memory?: JobMemory,
  ) {}

  /**
   * Admits a task about to read data, before anything is read: the node's own minimums, then the task
   * against the analyst-signed spec and a sealed key against that analyst (PrivacyRefusal:
   * spec-authorisation.ts), first, so no check that reads data runs on a field the coordinator forged
   * (its refusal would tell the coordinator about the data). Then, in one ledger transaction: the spec
   * not already run under another job id (spec-replay.ts), an exact single release only over the cohort
   * of its first release here (exact-cohort.ts), the consent policy under the analyst whose
   * signature over the job spec verified, never one the task merely claims (ConsentRefusal: no grant,
   * revoked, expired, label or epsilon cap), `beforeCharge` (a check that refuses before any budget is
   * spent, e.g. the owner's query rules), the privacy budget (BudgetRefusal), charging the release
   * under the grant, and a train task's features against this node's own schema answer.
   * Call `record` once the task has run; on a throw, refuse the task with the message.
   */
  admit(task: tessera.v1.ITask, stage: number, beforeCharge?: () => void): DataAdmission {
    checkProtection(task, stage, this.protection);
    const auth = authorisationOf(task);
    checkAuthorised(task, stage, auth, this.authorisation);
    return this.ledger.atomically(() => {
      checkNotReplayed(this.ledger, task, auth);
      // An exact single release of a signed spec: over the cohort of its first release here only (exact-cohort.ts).
      checkExactCohort(this.ledger, task, stage, auth);
      // A private recommend round, a few attempts at most: its noise is not averaged away (recommend-releases.ts).
      checkRecommendReleases(this.ledger, task, stage, auth);
      checkCatalogueReleases(this.ledger, task, stage, auth);
      const consent = this.consent.admit(task, stage, auth.analyst);
      beforeCharge?.();
      const { epsilon, checked } = this.guard.admit(task, stage, consent.grantId);
      // Inside the ledger transaction: a task refused here is not charged.
      if (auth.spec?.kind === 'train' && FEATURE_STAGES.includes(stage)) {
        const spec = auth.spec.spec;
        const dp = spec.privacy.mode !== 'none' || Boolean(checked.own) || announcesDp(task);
        checkOwnFeatures(task, ownSchemaAnswer(this.data, this.memory, task, spec, dp), dp, spec.domains);
      }
      bindSpecToJob(this.ledger, task, auth);
      bindExactCohort(this.ledger, task, stage, auth);
      return { task, stage, consent, epsilon, checked };
    });
  }

  /** Records an admitted use of data: the data_use row and a hash-chained audit log entry. */
  record(a: DataAdmission, rows: number): void {
    const { task, stage, consent } = a;
    const ref = task.ref ?? {};
    this.guard.recordUse(task, stage, rows);
    let columns: string[] = [];
    try {
      columns = this.data.servedColumns(task.dataset ?? '');
    } catch {
      columns = [];
    }
    this.ledger.appendAudit({
      kind: 'use',
      at: Date.now(),
      jobId: ref.jobId ?? '',
      round: Number(ref.round ?? 0),
      stage: stageName(stage),
      purpose: consent.purpose,
      dataset: task.dataset ?? '',
      columns,
      rows,
      epsilon: a.epsilon,
      analyst: consent.analyst,
      grantId: consent.grantId ?? '',
      reason: valuationAuditNote(task, stage),
    });
  }

  /** Appends a refused task step, with its reason, to the audit log. */
  recordRefusal(
    ref: tessera.v1.ITaskRef | null | undefined,
    reason: string,
    task?: tessera.v1.ITask,
    stage?: number,
  ): void {
    const st = stage ?? Number(ref?.stage ?? 0);
    this.ledger.appendAudit({
      kind: 'refusal',
      at: Date.now(),
      jobId: ref?.jobId ?? '',
      round: Number(ref?.round ?? 0),
      stage: stageName(st),
      purpose: (purposeOfStage(st) ?? purposeOfStage(Number(ref?.computation ?? 0)))?.purpose ?? '',
      dataset: task?.dataset ?? '',
      columns: [],
      rows: 0,
      epsilon: 0,
      analyst: task ? analystOf(task) : '',
      grantId: '',
      reason,
    });
  }
}
