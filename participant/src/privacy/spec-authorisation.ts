// Spec authorisation: a task may ask only what the analyst's signed job spec says, checked before any row is read.
import { parseQuery, planQuery, type QueryPlan } from '@tessera/analytics';
import { logisticConfigFrom } from '@tessera/fl';
import {
  exactFractionBits,
  JobSpecError,
  parseOverlapSpec,
  parseScoreSpec,
  parseVerticalScoreSpec,
  parseVerticalSpec,
  QUERY_MAX_RECORDS,
  scheduledLearningRate,
  type CatalogueJobSpec,
  type JobSpec,
  type OverlapSpec,
  type QuerySpec,
  type RecommendJobSpec,
  type ScoreSpec,
  type VerticalScoreSpec,
  type VerticalSpec,
} from '@tessera/jobs';
import {
  columnProfileFromProto,
  declaredQueryFromProto,
  fromModelConfig,
  fromStrategyConfig,
  tessera,
  toModelConfig,
  verifyAnalystKey,
} from '@tessera/proto';
import { chooseParameters } from '@tessera/secagg';
import { PrivacyRefusal, taskSpecOf, type TaskSpec } from './task-spec.js';
import { checkRecommend, requireSignedRecommendSpec } from './recommend-check.js';
import { checkCatalogue, requireSignedCatalogueSpec } from './catalogue-check.js';
import { checkTrainFeatureNames } from './train-features.js';

const pb = tessera.v1;

/** A job spec of any kind, parsed by the parser the coordinator uses. */
export type SignedSpec =
  | { kind: 'train'; spec: JobSpec }
  | { kind: 'query'; spec: QuerySpec; plan: QueryPlan }
  | { kind: 'score'; spec: ScoreSpec }
  | { kind: 'overlap'; spec: OverlapSpec }
  | { kind: 'vertical'; spec: VerticalSpec }
  | { kind: 'vertical-score'; spec: VerticalScoreSpec }
  | { kind: 'recommend'; spec: RecommendJobSpec }
  | { kind: 'catalogue'; spec: CatalogueJobSpec };

/** Who a task acts for, as far as this node can tell from signatures, and the spec it carries. */
export interface Authorisation {
  /** Hex Ed25519 identity whose valid signature over the whole job spec the task carries; '' when none. */
  analyst: string;
  /** Hex identity the task claims (Task.analyst_identity), verified or not; '' when it claims none. */
  claimed: string;
  /** The task's job spec, when it carries one. */
  spec?: SignedSpec;
}

const hex = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('hex');
const short = (id: string) => (id ? `${id.slice(0, 16)}…` : '(none)');

/**
 * The analyst a task is authorised by: the identity whose signature over the exact spec text verifies (a signature
 * that does not verify is refused outright: taskSpecOf). A task that only claims an identity, with an unsigned spec
 * or none, acts for nobody: a claimed identity never selects a consent grant or trusts a sealed key.
 */
export function authorisationOf(task: tessera.v1.ITask): Authorisation {
  const claimed = hex(task.analystIdentity);
  const parsed = taskSpecOf(task);
  if (!parsed) return { analyst: '', claimed };
  const analyst = parsed.signed ? parsed.analyst : '';
  return { analyst, claimed, spec: signedSpecOf(task, parsed) };
}

/** The verified analyst of a task (hex), or '' when its spec carries no valid signature. */
export const verifiedAnalystOf = (task: tessera.v1.ITask): string => authorisationOf(task).analyst;

function signedSpecOf(task: tessera.v1.ITask, parsed: TaskSpec): SignedSpec {
  if (parsed.kind === 'train') return { kind: 'train', spec: parsed.spec };
  if (parsed.kind === 'query') return { kind: 'query', spec: parsed.spec, plan: parsed.plan };
  if (parsed.kind === 'recommend') return { kind: 'recommend', spec: parsed.spec };
  if (parsed.kind === 'catalogue') return { kind: 'catalogue', spec: parsed.spec };
  const input = JSON.parse(task.specJson ?? '') as { kind?: unknown };
  try {
    if (input.kind === 'score') return { kind: 'score', spec: parseScoreSpec(input) };
    if (input.kind === 'overlap') return { kind: 'overlap', spec: parseOverlapSpec(input) };
    if (input.kind === 'vertical') return { kind: 'vertical', spec: parseVerticalSpec(input) };
    if (input.kind === 'vertical-score') return { kind: 'vertical-score', spec: parseVerticalScoreSpec(input) };
  } catch (e) {
    if (e instanceof JobSpecError)
      throw new PrivacyRefusal(`the task's job spec is invalid (${e.message}); refused before reading any data`);
    throw e;
  }
  throw new PrivacyRefusal(
    `the task's job spec has kind ${JSON.stringify(input.kind)}, which this node does not know; ` +
      'refused before reading any data',
  );
}

/** The stages each kind of job may ask for. */
const STAGES: Record<SignedSpec['kind'], readonly number[]> = {
  train: [
    pb.Stage.SCHEMA,
    pb.Stage.STATISTICS,
    pb.Stage.FIT,
    pb.Stage.EVALUATE,
    pb.Stage.VALUATE,
    pb.Stage.VALUATION_COUNT,
  ],
  query: [pb.Stage.QUERY],
  score: [pb.Stage.SCORE],
  overlap: [pb.Stage.OVERLAP],
  vertical: [pb.Stage.VERTICAL],
  'vertical-score': [pb.Stage.VERTICAL_SCORE],
  recommend: [pb.Stage.RECOMMEND],
  catalogue: [pb.Stage.CATALOGUE],
};

const STAGE_NAME = (s: number) => (pb.Stage[s] as string | undefined)?.toLowerCase() ?? `stage ${s}`;

/** The refusal of a task field that differs from the signed spec: names the field, the spec's value and the task's. */
const differs = (field: string, spec: unknown, task: unknown, signed: boolean) =>
  new PrivacyRefusal(
    `privacy check: the task's ${field} (${show(task)}) differs from the analyst's ${signed ? 'signed ' : ''}` +
      `job spec (${show(spec)}); the coordinator cannot change what the analyst authorised; ` +
      'refused before reading any data',
  );

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : (canonical(v) ?? 'absent'));

/** JSON with sorted keys and typed arrays as arrays, to compare structures built by different code. */
function canonical(v: unknown): string | undefined {
  const norm = (x: unknown): unknown => {
    if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object')
      return Object.fromEntries(
        Object.keys(x)
          .sort()
          .filter((k) => (x as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, norm((x as Record<string, unknown>)[k])]),
      );
    return x;
  };
  return v === undefined ? undefined : JSON.stringify(norm(v));
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

/** What the node's owner trusts on top of signatures: analysts listed in trustedAnalysts (hex identities). */
export interface AuthorisationPolicy {
  trustedAnalysts: readonly string[];
}

/**
 * Checks a task against the analyst-signed job spec it carries, before any row is read, and returns who it acts
 * for; throws PrivacyRefusal naming the field, the spec's value and the task's. A task without a spec passes here
 * (a node without a policy or budget serves it as before; consent and the privacy check decide), except a sealed
 * round, whose analyst key must then be signed by an analyst the owner lists in trustedAnalysts.
 */
export function authoriseTask(
  task: tessera.v1.ITask,
  stage: number,
  policy: AuthorisationPolicy = { trustedAnalysts: [] },
): Authorisation {
  const auth = authorisationOf(task);
  checkAuthorised(task, stage, auth, policy);
  return auth;
}

/** The checks of `authoriseTask` for an authorisation already read (Admission reads it before consent). */
export function checkAuthorised(
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
  policy: AuthorisationPolicy = { trustedAnalysts: [] },
): void {
  // A recommend step reads data only for the job an analyst signed (recommend-check.ts).
  if (stage === pb.Stage.RECOMMEND) requireSignedRecommendSpec(auth);
  if (stage === pb.Stage.CATALOGUE) requireSignedCatalogueSpec(auth);
  if (auth.spec) checkAgainstSpec(task, stage, auth.spec, auth.analyst !== '');
  checkSealedKey(task, auth, policy);
}

function checkAgainstSpec(task: tessera.v1.ITask, stage: number, s: SignedSpec, signed: boolean): void {
  const diff = (field: string, spec: unknown, got: unknown) => differs(field, spec, got, signed);
  if (!STAGES[s.kind].includes(stage))
    throw new PrivacyRefusal(
      `privacy check: the task asks for stage ${STAGE_NAME(stage)}, which a ${s.kind} job does not have ` +
        `(the analyst's ${signed ? 'signed ' : ''}spec is a ${s.kind} job); refused before reading any data`,
    );
  const dataset = task.dataset ?? '';
  // A vertical job names one data set per party: which one is this node's is checked with its role (vertical-check.ts).
  if (s.kind === 'vertical' || s.kind === 'vertical-score') {
    const named = s.spec.parties.map((p) => p.dataset);
    if (!named.includes(dataset)) throw diff('data set', named, dataset);
    return;
  }
  if (dataset !== s.spec.dataset) throw diff('data set', s.spec.dataset, dataset);
  if (s.kind === 'train') checkTrain(task, stage, s.spec, diff);
  else if (s.kind === 'query') checkQuery(task, s.spec, s.plan, diff);
  else if (s.kind === 'score') checkScore(task, s.spec, diff);
  else if (s.kind === 'recommend') {
    checkSecureMode(task, s.spec.secure.mode, diff);
    if (task.secure) checkCohort(task.secure, s.spec.minParticipants, s.spec.secure, diff);
    checkRecommend(task, s.spec, diff);
  } else if (s.kind === 'catalogue') {
    checkSecureMode(task, s.spec.secure.mode, diff);
    if (task.secure) checkCohort(task.secure, s.spec.minParticipants, s.spec.secure, diff);
    checkCatalogue(task, s.spec, diff);
  } else checkOverlap(task, s.spec, diff);
}

type Diff = (field: string, spec: unknown, task: unknown) => PrivacyRefusal;

/** The keys a strategy's per-round config may carry: the round, local settings (checked below) and FedProx's mu. */
const ROUND_CONFIG_KEYS = new Set(['round', 'epochs', 'batchSize', 'learningRate', 'proximalMu']);

function checkTrain(task: tessera.v1.ITask, stage: number, spec: JobSpec, diff: Diff): void {
  if ((task.label ?? '') !== spec.label) throw diff('label', spec.label, task.label ?? '');
  const training = task.training;
  if (training?.keepForValuation && !spec.payout)
    throw diff('training.keepForValuation (keep each update for a payout)', false, true);
  if (stage === pb.Stage.SCHEMA) {
    if (!same(task.exclude ?? [], spec.exclude)) throw diff('exclude', spec.exclude, task.exclude ?? []);
    const features = (task.features ?? []).map((f) => f.name ?? '');
    if (!same(features, spec.features ?? [])) throw diff('features', spec.features ?? [], features);
  }
  // Statistics, fit and evaluate: features named by the spec, and the spec's validation split (train-features.ts).
  checkTrainFeatureNames(task, stage, spec, diff);
  checkModel(task, spec, diff);
  if (stage === pb.Stage.FIT) {
    // The effective settings: the job's, overridden by the strategy's per-round config (as local-compute reads them).
    const job: Record<string, number> = {};
    for (const key of ['epochs', 'batchSize', 'learningRate', 'l2'] as const) {
      const v = training?.[key];
      if (v !== null && v !== undefined) job[key] = v;
    }
    const local = logisticConfigFrom(fromStrategyConfig(training?.strategyConfig), logisticConfigFrom(job));
    const want = {
      epochs: spec.local.epochs,
      batchSize: spec.local.batchSize,
      learningRate: scheduledLearningRate(spec.local, Number(task.ref?.round ?? 1), spec.rounds),
      l2: spec.model.l2,
    };
    // The strategy's per-round config may set only what strategies send: anything else (l2, say) would override a
    // checked setting behind the check's back.
    const roundConfig = fromStrategyConfig(training?.strategyConfig);
    const unknown = Object.keys(roundConfig).filter((k) => !ROUND_CONFIG_KEYS.has(k));
    if (unknown.length > 0)
      throw diff(
        `strategy round config (${unknown.join(', ')})`,
        [...ROUND_CONFIG_KEYS].join(', '),
        unknown.join(', '),
      );
    const mu = roundConfig.proximalMu ?? 0;
    if (!near(Number(mu), spec.strategy.proximalMu ?? 0))
      throw diff('FedProx proximal term (strategy.proximalMu)', spec.strategy.proximalMu ?? 0, mu);
    const field = { epochs: 'local.epochs', batchSize: 'local.batchSize', learningRate: 'local.learningRate' };
    for (const key of ['epochs', 'batchSize', 'learningRate', 'l2'] as const) {
      if (!near(local[key], want[key]))
        throw diff(key === 'l2' ? 'model l2' : `local training setting ${field[key]}`, want[key], local[key]);
    }
  }
  if (stage === pb.Stage.STATISTICS || stage === pb.Stage.FIT || stage === pb.Stage.EVALUATE) {
    const mode = spec.secure.mode;
    // Sealed jobs never evaluate (only the analyst may read aggregates); masked jobs evaluate through SecAgg+.
    if (mode === 'sealed' && stage === pb.Stage.EVALUATE) throw diff('secure mode of an evaluation', 'sealed', 'plain');
    checkSecureMode(task, mode, diff);
    if (task.secure) checkCohort(task.secure, spec.minParticipants, spec.secure, diff);
    if (task.secure && stage === pb.Stage.FIT) {
      const bits = Number(task.secure.bits ?? 0);
      if (bits !== spec.secure.bits) throw diff('quantisation bits (secure.bits)', spec.secure.bits, bits);
      const clip = Number(task.secure.clip ?? 0);
      // Under differential privacy the update clip is the privacy check's (privacy.clip, or adaptive).
      if (spec.privacy.mode === 'none' && !near(clip, spec.secure.clip))
        throw diff('update clip (secure.clip)', spec.secure.clip, clip);
    }
  }
}

/** The secure mode a task runs in must be the spec's: none (plaintext), masked (SecAgg+) or sealed (under BFV). */
function checkSecureMode(task: tessera.v1.ITask, mode: 'none' | 'masked' | 'sealed', diff: Diff): void {
  const got = !task.secure ? 'none' : Number(task.secure.sealedDegree ?? 0) > 0 ? 'sealed' : 'masked';
  if (got !== mode) throw diff('secure mode', mode, got);
  if (got === 'masked' && Number(task.secure!.modulus ?? 2 ** 32) !== 2 ** 32)
    throw diff('ring modulus of the masked sum', 2 ** 32, Number(task.secure!.modulus));
}

/**
 * The cohort of a secure round: at least minParticipants, and a threshold and graph degree at least what
 * @tessera/secagg's parameter choice gives for the spec's dropout and corruption assumptions at this n (as the
 * coordinator chooses them), so a coordinator cannot lower t to unmask with fewer shares.
 */
function checkCohort(
  setup: tessera.v1.ISecureSetup,
  minParticipants: number,
  assumed: { dropoutRate: number; corruptFraction: number },
  diff: Diff,
): void {
  const n = (setup.participantIds ?? []).length;
  if (n < minParticipants)
    throw new PrivacyRefusal(
      `privacy check: the secure round's cohort has ${n} participants, fewer than the ${minParticipants} ` +
        "the analyst's job spec requires (minParticipants); refused before reading any data",
    );
  if (n < 2) throw diff('secure round cohort size', 'at least 2', n);
  const p = chooseParameters({
    n,
    dropoutRate: assumed.dropoutRate,
    corruptFraction: assumed.corruptFraction,
    minThreshold: Math.max(2, Math.min(minParticipants, n)),
  });
  const t = Number(setup.threshold ?? 0);
  if (t < p.threshold)
    throw new PrivacyRefusal(
      `privacy check: the secure round's threshold ${t} is below the ${p.threshold} the job spec's assumptions ` +
        `(dropoutRate ${assumed.dropoutRate}, corruptFraction ${assumed.corruptFraction}, minParticipants ` +
        `${minParticipants}) give at n = ${n}; refused before reading any data`,
    );
  const degree = Number(setup.degree ?? n - 1);
  const need = p.complete ? n - 1 : p.degree;
  if (Math.min(degree, n - 1) < need)
    throw new PrivacyRefusal(
      `privacy check: the secure round's graph degree ${degree} is below the ${need} the job spec's assumptions ` +
        `give at n = ${n}; refused before reading any data`,
    );
}

function checkQuery(task: tessera.v1.ITask, spec: QuerySpec, plan: QueryPlan, diff: Diff): void {
  const declared = declaredQueryFromProto(task.query);
  if (!declared) throw diff('query', spec.sql, 'none');
  let asked: QueryPlan;
  try {
    asked = planQuery(parseQuery(declared.sql), declared.options, declared.unit);
  } catch (e) {
    throw diff('query plan', spec.sql, `${declared.sql} (${(e as Error).message})`);
  }
  if (!same(asked, plan))
    throw diff(
      'query plan (SQL, bounds, domains, bins, minimum count or unit)',
      { sql: spec.sql, options: spec.options, unit: plan.unit },
      declared,
    );
  checkSecureMode(task, spec.secure.mode, diff);
  if (task.secure) checkCohort(task.secure, spec.minParticipants, spec.secure, diff);
  const q = task.query!;
  const maxRecords = q.maxRecords ?? undefined;
  if (maxRecords !== undefined && maxRecords !== null && Number(maxRecords) !== QUERY_MAX_RECORDS)
    throw diff('query.maxRecords', QUERY_MAX_RECORDS, Number(maxRecords));
  const dpLevel = Number(q.dpLevel ?? 0);
  if (spec.privacy.mode === 'none') {
    if (dpLevel > 0) throw diff('query encoding (dpLevel)', 'exact (privacy.mode none)', dpLevel);
    const bits = Number(q.wideFractionBits ?? 0);
    if (bits !== exactFractionBits(plan)) throw diff('query.wideFractionBits', exactFractionBits(plan), bits);
  } else if (!(dpLevel > 0)) {
    throw diff('query encoding', `private (privacy.mode ${spec.privacy.mode})`, 'exact');
  }
}

function checkScore(task: tessera.v1.ITask, spec: ScoreSpec, diff: Diff): void {
  if ((task.label ?? '') !== spec.label) throw diff('label', spec.label, task.label ?? '');
  if ((task.segmentBy ?? '') !== (spec.segmentBy ?? '')) throw diff('segmentBy', spec.segmentBy ?? '', task.segmentBy);
  if (!same(task.segments ?? [], spec.segments)) throw diff('segments', spec.segments, task.segments ?? []);
  const features = (task.features ?? []).map((f) => {
    const c = columnProfileFromProto(f);
    return { name: c.name, kind: c.kind, ...('categories' in c && c.categories ? { categories: c.categories } : {}) };
  });
  if (!same(features, spec.features)) throw diff('features', spec.features, features);
  if (task.secure) throw diff('secure mode', 'none (encrypted scoring)', 'secure aggregation');
}

function checkOverlap(task: tessera.v1.ITask, spec: OverlapSpec, diff: Diff): void {
  const column = task.overlap?.column ?? '';
  if (column !== spec.column) throw diff('overlap column', spec.column, column);
  const session = task.overlap?.session ?? '';
  if (session && task.ref?.jobId && session !== task.ref.jobId) throw diff('overlap session', task.ref.jobId, session);
}

/**
 * A sealed round encrypts under the analyst's BFV key: the key must be signed (over its parameters) by the analyst
 * whose signature the job spec carries, i.e. the identity the consent grant names, or by an analyst the owner lists
 * in trustedAnalysts; a non-empty trustedAnalysts is an extra allow-list every sealed key's signer must be on.
 */
function checkSealedKey(task: tessera.v1.ITask, auth: Authorisation, policy: AuthorisationPolicy): void {
  const setup = task.secure;
  const degree = Number(setup?.sealedDegree ?? 0);
  if (!setup || degree <= 0) return;
  const key = task.analystKey ?? new Uint8Array(0);
  if (key.length === 0)
    throw new PrivacyRefusal("privacy check: a sealed round needs the analyst's public key with the task; refused");
  const identity = task.analystIdentity ?? new Uint8Array(0);
  const params = {
    polyModulusDegree: degree,
    coeffModulusBits: [...(setup.sealedCoeffBits ?? [])],
    plainModulus: Number(setup.modulus),
  };
  const signer = hex(identity);
  if (identity.length !== 32 || !verifyAnalystKey(key, params, task.analystSignature ?? new Uint8Array(0), identity))
    throw new PrivacyRefusal(
      `privacy check: the sealed round's analyst key is not signed by the analyst identity ${short(signer)} ` +
        'it came with: refusing to encrypt under it; refused before reading any data',
    );
  const trusted = policy.trustedAnalysts;
  if (trusted.length > 0 && !trusted.includes(signer))
    throw new PrivacyRefusal(
      `privacy check: the sealed round's analyst ${short(signer)} is not among this node's trustedAnalysts: ` +
        'refusing to encrypt under its key; refused before reading any data',
    );
  if (auth.analyst && auth.analyst === signer) return;
  if (trusted.includes(signer)) return;
  throw new PrivacyRefusal(
    `privacy check: the sealed round's analyst key is signed by ${short(signer)}, ` +
      (auth.analyst
        ? `not by the analyst ${short(auth.analyst)} who signed the job spec`
        : "and the task's job spec carries no valid analyst signature to tie that key to the analyst a grant names") +
      '; refusing to encrypt under a key the coordinator may have made (list the analyst in trustedAnalysts ' +
      'to trust its key without a signed spec); refused before reading any data',
  );
}

/** The model a training task names (kind, task, shape, classes, label range, optimiser) must be the spec's. */
function checkModel(task: tessera.v1.ITask, spec: JobSpec, diff: Diff): void {
  // Both sides in the wire form, absent fields filled as the wire leaves them.
  const want = toModelConfig(spec.model, spec.local.optimiser);
  const got = fromModelConfig(task.training?.model);
  const have = toModelConfig(got, got.optimiser);
  for (const key of Object.keys(want) as (keyof typeof want)[])
    if (JSON.stringify(want[key]) !== JSON.stringify(have[key])) throw diff(`model ${key}`, want[key], have[key]);
}
