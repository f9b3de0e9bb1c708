import { DEFAULT_ORDERS } from '@tessera/dp';
import { tessera } from '@tessera/proto';
import type { DatasetSource } from '../config.js';
import { fmtEpsilon, stageName, type PrivacyGuard } from '../privacy/privacy-guard.js';
import type { PrivacyLedger } from '../privacy/privacy-ledger.js';
import { privacyPlanOf } from '../privacy/privacy-plan.js';
import { taskSpecOf } from '../privacy/task-spec.js';
import { SaleMemory } from '../sales/sale-memory.js';
import { saleDecision, type Sale, type SaleDecision } from '../sales/sale-rules.js';
import { datasetRules, jobKindsNote, type ConsentPolicy, type Grant, type JobKind, type Purpose } from './policy.js';

const pb = tessera.v1;

/** A refusal on consent grounds; its message says which grant is missing, revoked, expired or exceeded. */
export class ConsentRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsentRefusal';
  }
}

/** What a task's stage uses the data for, and the kind of job it belongs to. */
export function purposeOfStage(stage: number): { purpose: Purpose; kind: JobKind } | undefined {
  switch (stage) {
    case pb.Stage.SCHEMA:
    case pb.Stage.STATISTICS:
    case pb.Stage.FIT:
    case pb.Stage.EVALUATE:
      return { purpose: 'train', kind: 'train' };
    case pb.Stage.QUERY:
      return { purpose: 'query', kind: 'query' };
    case pb.Stage.SCORE:
      return { purpose: 'score', kind: 'score' };
    case pb.Stage.OVERLAP:
      return { purpose: 'query', kind: 'overlap' };
    case pb.Stage.VALUATE:
    // A DP training job's noisy row counts for its payout (valuation records): under the `valuation` grant too.
    case pb.Stage.VALUATION_COUNT:
      return { purpose: 'valuation', kind: 'train' };
    case pb.Stage.VERTICAL:
      return { purpose: 'train', kind: 'vertical' };
    case pb.Stage.VERTICAL_SCORE:
      return { purpose: 'score', kind: 'vertical' };
    // A recommend job trains an item model from the interactions (its customer factors never leave the node).
    case pb.Stage.RECOMMEND:
      return { purpose: 'train', kind: 'recommend' };
    // A catalogue job releases noisy counts of item ids: an aggregate release, as a query is.
    case pb.Stage.CATALOGUE:
      return { purpose: 'query', kind: 'catalogue' };
    default:
      return undefined;
  }
}

/** The stages whose output is a differentially private release when the job has a privacy plan. */
const DP_STAGES: ReadonlySet<number> = new Set([
  pb.Stage.SCHEMA,
  pb.Stage.STATISTICS,
  pb.Stage.FIT,
  pb.Stage.EVALUATE,
  pb.Stage.QUERY,
  pb.Stage.RECOMMEND,
  pb.Stage.CATALOGUE,
  pb.Stage.VALUATION_COUNT,
]);

/**
 * Why a task reading data is not differentially private, or undefined when it is part of a DP
 * job: a job with privacy.mode none, or a stage that releases exact values whatever the job says
 * (scoring, audience overlap, and valuation, which discloses this node's per-round model updates).
 */
export function withoutPrivacy(task: tessera.v1.ITask, stage: number): string | undefined {
  if (stage === pb.Stage.VALUATE)
    return "payout valuation discloses this node's own model updates to the coordinator, without noise";
  // Noised scoring announces its plan; the privacy check then holds it to the signed spec's privacy.
  if (stage === pb.Stage.SCORE)
    return privacyPlanOf(task)
      ? undefined
      : 'encrypted scoring returns exact per-segment totals, without noise (its spec asks for no privacy)';
  // An overlap job's spec fixes the noise on the released count (discrete Laplace, privacy.epsilon, default 1).
  if (stage === pb.Stage.OVERLAP)
    return taskSpecOf(task)?.kind === 'overlap'
      ? undefined
      : 'audience overlap without its job spec reveals the exact size of the intersection, without noise';
  if (stage === pb.Stage.VERTICAL)
    return (
      "vertical learning releases exact held-out metrics and the guest's part of the model, and shows the guest " +
      'which shared customers each host split sends left, without noise'
    );
  if (stage === pb.Stage.VERTICAL_SCORE)
    return (
      'vertical scoring gives the guest an exact score per shared customer (and, for SecureBoost, which of them each ' +
      'host split sends left), without noise'
    );
  if (!DP_STAGES.has(stage)) return `stage ${stageName(stage)} is not a differentially private release`;
  if (privacyPlanOf(task)) return undefined;
  return stage === pb.Stage.QUERY
    ? 'this query has no differential privacy (--dp none); run it with --dp distributed, central or local'
    : 'this job has no differential privacy (privacy.mode none); ask for privacy.mode distributed, central or local';
}

/** The query-level rules a data set's policy sets, which the participant enforces on every query. */
export interface QueryRules {
  /** Released aggregates must cover at least this many rows (0: no minimum). */
  minGroupSize: number;
  /** Columns refused as filters and group keys (unless allowIdentifierQueries). */
  identifierColumns: string[];
  allowIdentifierQueries: boolean;
}

/** The analyst a task acts for: hex of its Ed25519 identity ('' when it carries none). */
export const analystOf = (task: tessera.v1.ITask): string =>
  Buffer.from(task.analystIdentity ?? new Uint8Array(0)).toString('hex');

/**
 * The decision for one task: the purpose and job kind, the analyst, and the grant it was admitted under (none without a
 * policy).
 */
export interface ConsentDecision {
  purpose: Purpose | '';
  kind: JobKind | '';
  analyst: string;
  grantId?: string;
}

/** ISO time to the second, e.g. 2026-11-22T08:01:02Z. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The node's data sources with a policy's column restrictions applied: only `datasets.NAME.columns` are ever served.
 */
export function restrictSources(
  sources: Record<string, DatasetSource>,
  policy: ConsentPolicy | undefined,
): Record<string, DatasetSource> {
  if (!policy) return sources;
  return Object.fromEntries(
    Object.entries(sources).map(([name, s]) => {
      const columns = policy.datasets[name]?.columns;
      return [name, columns ? { ...s, columns: [...columns], columnsFrom: policy.file } : s];
    }),
  );
}

/**
 * Enforces the owner's consent policy where the data lives: before a task reads a data set, finds
 * a grant (not revoked, not expired at this moment) that allows this analyst, purpose, job kind
 * and data set, checks the grant's epsilon caps, or throws ConsentRefusal naming the reason.
 * Revocations are read from the ledger for every task, so `tessera participant revoke` takes
 * effect at the next task without a restart. Without a policy every task is allowed.
 */
export class ConsentGuard {
  /** The node's answers to sales so far (its lifetime): the same sale asked again gets the same answer. */
  readonly saleMemory = new SaleMemory();

  constructor(
    readonly policy: ConsentPolicy | undefined,
    private readonly ledger: PrivacyLedger,
    private readonly privacy: PrivacyGuard,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Describes an analyst identity for messages: `3b6a27bc…(acme-research)`. */
  describeAnalyst(analyst: string): string {
    if (!analyst) return '(none: the task carries no analyst identity)';
    const name = this.nameOf(analyst);
    return `${analyst.slice(0, 8)}…${name !== undefined ? `(${name})` : '(not named in the policy)'}`;
  }

  private nameOf(analyst: string): string | undefined {
    return Object.entries(this.policy?.analysts ?? {}).find(([, id]) => id === analyst)?.[0];
  }

  /**
   * Admits a task about to read data (or throws ConsentRefusal); returns the grant it is admitted under. `analyst`:
   * the identity whose signature over the job spec Admission verified ('' for none: then only grants to "*" match,
   * whatever identity the task claims); without it, the identity the task claims (unit tests of grant matching).
   * `use`: the purpose and job kind to admit, when not the stage's own (a query's valuation counts: valuation, query).
   */
  admit(
    task: tessera.v1.ITask,
    stage: number,
    analyst: string = analystOf(task),
    use: { purpose: Purpose; kind: JobKind } | undefined = purposeOfStage(stage),
  ): ConsentDecision {
    const claimed = analystOf(task);
    const policy = this.policy;
    if (!policy) return { purpose: use?.purpose ?? '', kind: use?.kind ?? '', analyst };
    if (!use)
      throw new ConsentRefusal(`consent: stage ${stageName(stage)} has no purpose under the consent policy; refused`);
    const { purpose, kind } = use;
    const dataset = task.dataset ?? '';
    const now = this.clock();
    const name = analyst ? this.nameOf(analyst) : undefined;
    const who = this.describeAnalyst(analyst);

    const relevant = policy.grants.filter(
      (g) =>
        (g.analysts.includes('*') || (name !== undefined && g.analysts.includes(name))) &&
        (!g.datasets || g.datasets.includes(dataset)),
    );
    const revocations = this.ledger.revocations();
    const statusOf = (g: Grant): string | undefined => {
      const r = revocations.get(g.id);
      if (r) return `grant "${g.id}" was revoked at ${isoSeconds(r.at)}${r.reason ? ` (${r.reason})` : ''}`;
      if (now >= g.expiresAt) return `grant "${g.id}" expired on ${isoSeconds(g.expiresAt)}`;
      return undefined;
    };
    const candidates = relevant.filter((g) => g.purposes.includes(purpose) && g.jobKinds.includes(kind));
    if (candidates.length === 0) {
      const allows = (g: Grant) => {
        return `${g.id} allows ${g.purposes.join(', ')}${jobKindsNote(g.jobKinds)}`;
      };
      const live = relevant.filter((g) => !statusOf(g));
      const revoked = relevant.filter((g) => revocations.has(g.id)).map((g) => g.id);
      const expired = relevant.filter((g) => !revocations.has(g.id) && now >= g.expiresAt).map((g) => g.id);
      const known = [
        live.length ? `grants: ${live.map(allows).join('; ')}` : '',
        revoked.length ? `revoked: ${revoked.join(', ')}` : '',
        expired.length ? `expired: ${expired.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      const none =
        !analyst && claimed
          ? `the task claims analyst ${this.describeAnalyst(claimed)}, but its job spec carries no valid signature ` +
            'by that identity, so it acts for no named analyst, and no grant is to "*"'
          : analyst && name === undefined
            ? 'this analyst is not named in the policy and no grant is to "*"'
            : 'no grant covers this analyst and data set';
      throw new ConsentRefusal(
        `consent: no grant of this node allows purpose "${purpose}" (job kind ${kind}) ` +
          `for analyst ${who} on data set "${dataset}" (${known || none})`,
      );
    }
    const blocked: string[] = [];
    const active: Grant[] = [];
    for (const g of candidates) {
      const s = statusOf(g);
      if (s) blocked.push(s);
      else active.push(g);
    }
    if (active.length === 0) throw new ConsentRefusal(`consent: ${blocked.join('; ')}`);

    const rules = datasetRules(policy, dataset);
    const notPrivate = rules.allowWithoutPrivacy ? undefined : withoutPrivacy(task, stage);
    if (notPrivate !== undefined) {
      throw new ConsentRefusal(
        `consent: data set "${dataset}" is served only with differential privacy, and ${notPrivate} ` +
          `(the owner can opt out with datasets.${dataset}.allowWithoutPrivacy: true in the consent policy)`,
      );
    }

    const label = policy.datasets[dataset]?.label;
    if (kind === 'train' && label !== undefined && (task.label ?? '') !== label) {
      throw new ConsentRefusal(
        `consent: data set "${dataset}" may be used for training only with label "${label}" ` +
          `(policy datasets.${dataset}.label), and this job's label is "${task.label ?? ''}"`,
      );
    }

    const exceeded: string[] = [];
    for (const g of active) {
      const problem = g.budget ? this.capProblem(g, task, stage) : undefined;
      if (!problem) return { purpose, kind, analyst, grantId: g.id };
      exceeded.push(problem);
    }
    throw new ConsentRefusal(`consent: ${exceeded.join('; ')}`);
  }

  /**
   * Whether the owner's policy allows this sale of a product built from this node's data (sales/sale-rules.ts): no
   * policy allows every sale, a policy without a `sales` section none; else its buyers, excluded buyers and products.
   */
  saleDecision(sale: Sale): SaleDecision {
    return saleDecision(this.policy, sale);
  }

  /**
   * The query-level rules for a data set: its policy's minimum group size, identifier columns and
   * whether queries on them are allowed. Without a policy: no minimum, no identifier columns.
   */
  queryRules(dataset: string): QueryRules {
    if (!this.policy) return { minGroupSize: 0, identifierColumns: [], allowIdentifierQueries: true };
    const { minGroupSize, identifierColumns, allowIdentifierQueries } = datasetRules(this.policy, dataset);
    return { minGroupSize, identifierColumns, allowIdentifierQueries };
  }

  /**
   * What the node warns about when it starts: no policy at all, and every data set served without
   * differential privacy (opted out), or opted out but still budgeted (the budget wins).
   * `budgeted`: the data sets with a budget in the node config.
   */
  startWarnings(datasets: readonly string[], budgeted: readonly string[]): string[] {
    const policy = this.policy;
    if (!policy) {
      const open = datasets.filter((d) => !budgeted.includes(d));
      if (open.length === 0) {
        return [
          'no consent policy: this node serves every analyst and purpose ' +
            '(its budgets still require differential privacy); run tessera participant init or add a policy',
        ];
      }
      return [
        'no consent policy: this node serves every request without differential ' +
          `privacy${open.length < datasets.length ? ` (data sets without a budget: ${open.join(', ')})` : ''}; ` +
          'run tessera participant init or add a policy',
      ];
    }
    const out: string[] = [];
    for (const d of datasets) {
      if (!datasetRules(policy, d).allowWithoutPrivacy) continue;
      out.push(
        budgeted.includes(d)
          ? `data set "${d}": the policy allows serving it without differential privacy ` +
              `(datasets.${d}.allowWithoutPrivacy: true in ${policy.file}), but its budget in the node config serves ` +
              'only private jobs, so jobs without privacy are still refused; remove the budget or the opt-out'
          : `data set "${d}" is served WITHOUT differential privacy (datasets.${d}.allowWithoutPrivacy: ` +
              `true in ${policy.file}): jobs without privacy can read exact results from it`,
      );
    }
    return out;
  }

  /** Why a grant's epsilon caps do not allow this task, or undefined when they do. */
  private capProblem(g: Grant, task: tessera.v1.ITask, stage: number): string | undefined {
    const budget = g.budget!;
    const caps = [
      budget.perJob !== undefined ? `perJob ${budget.perJob}` : '',
      budget.total !== undefined ? `total ${budget.total}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const { plan, release, wholeJob } = this.privacy.requestOf(task, stage);
    if (!plan) {
      return (
        `grant "${g.id}" caps epsilon (${caps}) and this job is not differentially private (privacy.mode none); ` +
        'ask for privacy.mode distributed, central or local'
      );
    }
    const request = wholeJob ?? release?.rdp;
    if (!request) return undefined;
    const delta = this.privacy.deltaOf(task.dataset ?? '');
    const orders = DEFAULT_ORDERS.length;
    const eps = (rdp: readonly number[]) => (rdp.every((v) => v === 0) ? 0 : this.privacy.epsilonOf(rdp, delta));
    // Both are curves over DEFAULT_ORDERS; a shorter one would sum to NaN, which epsilonOf refuses.
    const plus = (a: readonly number[], b: readonly number[]) => a.map((v, i) => v + b[i]!);
    const asks = wholeJob
      ? `this job asks for ${fmtEpsilon(eps(request))}`
      : `this ${stageName(stage)} release asks for ${fmtEpsilon(eps(request))}`;
    if (budget.perJob !== undefined) {
      const spentJob = this.ledger.grantRdp(g.id, orders, task.ref?.jobId ?? '');
      const total = eps(plus(spentJob, request));
      if (total > budget.perJob) {
        return (
          `grant "${g.id}" allows at most epsilon ${budget.perJob} per job (at delta ${delta}): ` +
          `this job spent ${fmtEpsilon(eps(spentJob))} under it, ${asks}, ${fmtEpsilon(total)} in all`
        );
      }
    }
    if (budget.total !== undefined) {
      const spent = this.ledger.grantRdp(g.id, orders);
      const total = eps(plus(spent, request));
      if (total > budget.total) {
        return (
          `grant "${g.id}" allows at most epsilon ${budget.total} in all (at delta ${delta}): ` +
          `spent ${fmtEpsilon(eps(spent))} under it, ${asks}, ${fmtEpsilon(total)} in all`
        );
      }
    }
    return undefined;
  }
}
