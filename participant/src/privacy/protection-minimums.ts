// The node's own protection minimums: the secure mode, cohort, threshold and roster a task must meet to read data.
import { constantTimeEqual, fromHex, verifyRosterEntry } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import {
  DEFAULT_MINIMUMS,
  type ParticipantConfig,
  type ProtectionMinimums,
  type SecureRequirement,
} from '../config.js';
import type { ConsentPolicy } from '../consent/policy.js';

const pb = tessera.v1;

/** A refusal on the node's own protection minimums; its message says which minimum and how to change it. */
export class ProtectionRefusal extends Error {
  constructor(message: string) {
    super(`protection check: ${message}; refused before reading any data`);
    this.name = 'ProtectionRefusal';
  }
}

/** What the node requires of one data set's secure rounds. */
export interface DatasetProtection {
  secure: SecureRequirement;
  minimums: ProtectionMinimums;
  /**
   * The owner opted this data set in to payout valuation (VALUATE, and FIT rounds that keep their update for it):
   * its consent policy has a grant with purpose `valuation` on it. `secure: none` opts in as well.
   */
  valuation: boolean;
}

/** The node's protection rules, from its config: per data set, and the roster authority if it names one. */
export interface ProtectionPolicy {
  /** This node's participant id and identity key: its own place in a cohort must be its own. */
  self: { id: string; identityKey: Uint8Array };
  datasets: Readonly<Record<string, DatasetProtection>>;
  /** For a data set the config does not name (the task is then refused elsewhere). */
  fallback: DatasetProtection;
  rosterAuthority?: Uint8Array;
}

/** A grant of the consent policy has purpose `valuation` (for training jobs) on this data set. */
const grantsValuation = (consent: ConsentPolicy | undefined, dataset: string): boolean =>
  !!consent?.grants.some(
    (g) =>
      g.purposes.includes('valuation') && g.jobKinds.includes('train') && (!g.datasets || g.datasets.includes(dataset)),
  );

/**
 * The node's protection policy: each data set's `secure` (default masked) and minimums over the top-level ones, and
 * whether the owner's consent policy (`consent`, if the node has one) grants valuation on it.
 */
export function protectionPolicyOf(
  config: ParticipantConfig,
  identityKey: Uint8Array,
  consent?: ConsentPolicy,
): ProtectionPolicy {
  const top = { ...DEFAULT_MINIMUMS, ...config.minimums };
  const datasets = Object.fromEntries(
    Object.entries(config.datasets).map(([name, src]): [string, DatasetProtection] => [
      name,
      {
        secure: src.secure ?? 'masked',
        minimums: { ...top, ...src.minimums },
        valuation: grantsValuation(consent, name),
      },
    ]),
  );
  return {
    self: { id: config.participantId, identityKey },
    datasets,
    fallback: { secure: 'masked', minimums: top, valuation: false },
    ...(config.rosterAuthority ? { rosterAuthority: fromHex(config.rosterAuthority, 'rosterAuthority') } : {}),
  };
}

const STAGE_NAMES: Record<number, string> = {
  [pb.Stage.STATISTICS]: 'statistics',
  [pb.Stage.FIT]: 'fit',
  [pb.Stage.EVALUATE]: 'evaluate',
  [pb.Stage.QUERY]: 'query',
  [pb.Stage.VALUATION_COUNT]: 'valuation count',
};

const short = (bytes: Uint8Array) => `${Buffer.from(bytes).toString('hex').slice(0, 16)}…`;

/**
 * Checks a task against the node's own minimums before any data is read, or throws ProtectionRefusal.
 * It applies to the stages whose result is a sum of this node's data-derived values (statistics, fit, evaluate,
 * query: `stage` is the computed stage). The schema exchanges only the column schema; scoring is CKKS-encrypted
 * under the analyst's key and overlap is PSI, each with checks of its own.
 * - Valuation (a VALUATE task, or a FIT task with training.keepForValuation, which keeps the update VALUATE would
 *   disclose) sends this node's own per-round updates to the coordinator in plaintext, whatever the round's mode:
 *   refused unless the owner opted in (checkValuationOptIn).
 * - Without `task.secure` the values would reach the coordinator in plaintext: refused unless the data set's
 *   `secure` is none. A masked round on a data set that requires sealed is refused.
 * - A secure round must have at least the minimum cohort (n) and threshold (t), a threshold that no split of the
 *   share holders' releases can meet twice (2t - 1 > k, k the graph degree: Bell et al. 2020, the bound
 *   chooseParameters keeps), distinct participants with this node in its own place, and, when the config names a
 *   roster authority, the authority's signature over every participant's id and identity key.
 */
export function checkProtection(task: tessera.v1.ITask, stage: number, policy: ProtectionPolicy | undefined): void {
  if (!policy) return;
  const dataset = task.dataset ?? '';
  const rules = policy.datasets[dataset] ?? policy.fallback;
  const field = `datasets.${dataset}`;
  checkValuationOptIn(task, stage, rules, dataset);
  const what = STAGE_NAMES[stage];
  if (what === undefined) return;
  const setup = task.secure;
  if (!setup) {
    if (rules.secure === 'none') return;
    throw new ProtectionRefusal(
      `data set "${dataset}" requires secure aggregation (${field}.secure: ${rules.secure}), and this ${what} task ` +
        "has none: it would send this node's own values to the coordinator in plaintext. An owner who accepts " +
        `plaintext sets ${field}.secure: none in the node's config`,
    );
  }
  const sealed = Number(setup.sealedDegree ?? 0) > 0;
  if (rules.secure === 'sealed' && !sealed)
    throw new ProtectionRefusal(
      `data set "${dataset}" requires sealed mode (${field}.secure: sealed), and this ${what} round is masked: ` +
        'the coordinator would learn the sum',
    );
  checkCohort(setup, rules.minimums, field, policy.self);
  if (policy.rosterAuthority) checkRoster(setup, policy.rosterAuthority);
}

/**
 * Valuation is plaintext: VALUATE sends the coordinator this node's kept per-round model updates in the clear, and a
 * FIT task with training.keepForValuation keeps them for it. Both need the owner's explicit opt-in: the data set's
 * `secure: none` (the owner accepts plaintext), or a consent policy grant with purpose `valuation` on the data set
 * (ConsentGuard then holds VALUATE, and the fit handler a kept FIT, to a live grant for the job's verified analyst).
 */
function checkValuationOptIn(task: tessera.v1.ITask, stage: number, rules: DatasetProtection, dataset: string): void {
  const valuate = stage === pb.Stage.VALUATE;
  if (!valuate && !(stage === pb.Stage.FIT && task.training?.keepForValuation)) return;
  if (rules.secure === 'none' || rules.valuation) return;
  const what = valuate
    ? "this valuate task would send this node's own per-round model updates to the coordinator in plaintext"
    : 'this fit task (training.keepForValuation) would keep its model update for a later valuate task, which ' +
      'sends it to the coordinator in plaintext';
  throw new ProtectionRefusal(
    `data set "${dataset}" is not opted in to payout valuation (datasets.${dataset}.secure: ${rules.secure}, and ` +
      `no consent grant with purpose valuation on it): ${what}. An owner who accepts grants purpose valuation in ` +
      `the node's consent policy (with datasets.${dataset}.allowWithoutPrivacy: true) or sets ` +
      `datasets.${dataset}.secure: none in the node's config`,
  );
}

function checkCohort(
  setup: tessera.v1.ISecureSetup,
  minimums: ProtectionMinimums,
  field: string,
  self: ProtectionPolicy['self'],
): void {
  const ids = setup.participantIds ?? [];
  const keys = setup.identityKeys ?? [];
  const n = ids.length;
  const t = Number(setup.threshold ?? 0);
  if (keys.length !== n)
    throw new ProtectionRefusal(`the round names ${n} participants and ${keys.length} identity keys`);
  if (n < minimums.cohort)
    throw new ProtectionRefusal(
      `the round has ${n} participants, fewer than this node's minimum cohort ${minimums.cohort} ` +
        `(${field}.minimums.cohort or minimums.cohort in the node's config)`,
    );
  if (t < minimums.threshold)
    throw new ProtectionRefusal(
      `the round's threshold ${t} is below this node's minimum threshold ${minimums.threshold} ` +
        `(${field}.minimums.threshold or minimums.threshold in the node's config)`,
    );
  const k = Math.min(Number(setup.degree ?? n - 1), n - 1);
  if (!(2 * t - 1 > k) || t > k + 1)
    throw new ProtectionRefusal(
      `the round's threshold ${t} with ${k} neighbours per participant is outside (${(k + 1) / 2}, ${k + 1}]: ` +
        'a coordinator that tells some share holders a participant survived and the others that it dropped ' +
        'would collect t shares of both kinds and unmask it (SecAgg+ needs 2t - 1 > k)',
    );
  const index = Number(setup.index ?? 0);
  const ownKey = keys[index];
  if (ids[index] !== self.id || !ownKey || !constantTimeEqual(ownKey, self.identityKey))
    throw new ProtectionRefusal(
      `the round puts participant ${JSON.stringify(ids[index] ?? '')} at this node's index ${index}, ` +
        `not this node (${self.id}) with its identity key`,
    );
  const seenIds = new Set<string>();
  const seenKeys = new Set<string>();
  for (const [i, id] of ids.entries()) {
    const key = Buffer.from(keys[i] ?? new Uint8Array(0)).toString('hex');
    if (seenIds.has(id) || seenKeys.has(key))
      throw new ProtectionRefusal(`the round names participant ${id} (or its identity key) more than once`);
    seenIds.add(id);
    seenKeys.add(key);
  }
}

function checkRoster(setup: tessera.v1.ISecureSetup, authority: Uint8Array): void {
  const ids = setup.participantIds ?? [];
  const keys = setup.identityKeys ?? [];
  const signatures = setup.rosterSignatures ?? [];
  const unsigned = ids.filter(
    (id, i) => !verifyRosterEntry(authority, id, keys[i] ?? new Uint8Array(0), signatures[i] ?? new Uint8Array(0)),
  );
  if (unsigned.length > 0)
    throw new ProtectionRefusal(
      `${unsigned.length} of the round's ${ids.length} participants (${unsigned.slice(0, 5).join(', ')}` +
        `${unsigned.length > 5 ? ', …' : ''}) have no valid certificate from this node's roster authority ` +
        `${short(authority)} (rosterAuthority in its config): the cohort may hold nodes the coordinator made`,
    );
}
