import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config.js';
import { parseSalesPolicy, SalesPolicyProblem, type SalesPolicy } from './sales-policy.js';

/** What an analyst may use the data for. */
export const PURPOSES = ['train', 'query', 'score', 'valuation'] as const;
export type Purpose = (typeof PURPOSES)[number];
/** What kind of job reads the data. */
export const JOB_KINDS = ['train', 'query', 'score', 'overlap', 'vertical', 'recommend', 'catalogue'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
/**
 * The kinds a grant without `jobKinds` covers: every kind but vertical, which shows a peer organisation which of its
 * customers this node holds and gives the guest exact per-customer results, and recommend and catalogue (joint
 * recommendation, newer than the grants written before them); a grant names them to allow them.
 */
export const DEFAULT_JOB_KINDS: readonly JobKind[] = ['train', 'query', 'score', 'overlap'];

/** ' (job kinds …)' when a grant's job kinds differ from the default ones, else ''. */
export function jobKindsNote(kinds: readonly string[]): string {
  const usual = kinds.length === DEFAULT_JOB_KINDS.length && DEFAULT_JOB_KINDS.every((k) => kinds.includes(k));
  return usual ? '' : ` (job kinds ${kinds.join(', ')})`;
}

/** Per data set restrictions of a consent policy (the source itself stays in the node config). */
export interface DatasetRestriction {
  /** Only these columns are ever served; every other column is dropped when the data is opened. */
  columns?: string[];
  /** The only column a training job may use as its label. */
  label?: string;
  /**
   * Released aggregates must cover at least this many rows (default 20; enforced by the participant's query checks).
   */
  minGroupSize?: number;
  /**
   * Columns that identify a customer (a key, an email, any column unique per row): refused as filters and group keys.
   */
  identifierColumns?: string[];
  /** true: filters and group keys on `identifierColumns` are allowed (default false). */
  allowIdentifierQueries?: boolean;
  /** true: tasks without differential privacy may read this data set (default false: DP required). */
  allowWithoutPrivacy?: boolean;
}

/** What a policy's data set restriction means once its defaults are applied. */
export interface DatasetRules {
  minGroupSize: number;
  identifierColumns: string[];
  allowIdentifierQueries: boolean;
  allowWithoutPrivacy: boolean;
}

/** The minimum group size a consent policy implies for a data set it does not set one for. */
export const DEFAULT_MIN_GROUP_SIZE = 20;

/** A data set's rules under a policy, with the defaults (minGroupSize 20, no identifier queries, DP required). */
export function datasetRules(policy: ConsentPolicy, dataset: string): DatasetRules {
  const r = policy.datasets[dataset] ?? {};
  return {
    minGroupSize: r.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE,
    identifierColumns: [...(r.identifierColumns ?? [])],
    allowIdentifierQueries: r.allowIdentifierQueries ?? false,
    allowWithoutPrivacy: r.allowWithoutPrivacy ?? false,
  };
}

/** One grant of a consent policy: who may use which data set for what, until when, within which epsilon. */
export interface Grant {
  id: string;
  /** Analyst names from the policy's `analysts`, or "*" for any analyst (including an anonymous one). */
  analysts: string[];
  purposes: Purpose[];
  jobKinds: JobKind[];
  /** Undefined: every data set of the node. */
  datasets?: string[];
  budget?: { perJob?: number; total?: number };
  /** The first instant (ms since the epoch) at which the grant no longer applies. */
  expiresAt: number;
  /** As written in the policy. */
  expires: string;
}

export interface ConsentPolicy {
  file: string;
  /** Analyst name -> Ed25519 identity (64 lowercase hex characters). */
  analysts: Record<string, string>;
  datasets: Record<string, DatasetRestriction>;
  grants: Grant[];
  /** Whether, to whom and as which products the data may be sold; absent: the owner allows no sale. */
  sales?: SalesPolicy;
}

/** A mistake in a consent policy file; the message names the file and the field. */
export class PolicyError extends ConfigError {
  constructor(file: string, field: string, message: string) {
    super(file, field, message);
    this.name = 'PolicyError';
  }
}

export interface PolicyOptions {
  /** The node config's data set names: a policy may restrict or grant only these. */
  datasets: string[];
  /** The time to check `expires` against (default: now). */
  now?: number;
  /** Refuse a grant that has already expired (default true; the CLI's revoke and grants commands list them instead). */
  rejectExpired?: boolean;
}

type Obj = Record<string, unknown>;
/** The fields of `datasets.NAME` in a policy. */
const DATASET_FIELDS = [
  'columns',
  'label',
  'minGroupSize',
  'identifierColumns',
  'allowIdentifierQueries',
  'allowWithoutPrivacy',
] as const;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (xs: readonly string[]) => xs.join(', ');

function onlyKnown(file: string, field: string, v: Obj, known: readonly string[]): void {
  for (const k of Object.keys(v)) {
    if (!known.includes(k))
      throw new PolicyError(file, field ? `${field}.${k}` : k, `unknown field; known fields: ${list(known)}`);
  }
}

function stringList(file: string, field: string, v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '')) {
    throw new PolicyError(file, field, `must be a non-empty list of ${what}, got ${JSON.stringify(v)}`);
  }
  return v as string[];
}

/**
 * Parses `expires`: a date (the grant holds through that whole day, UTC) or a date-time with a
 * time zone (Z or +hh:mm). Returns the first instant the grant no longer applies.
 */
export function parseExpiry(file: string, field: string, v: unknown): { expiresAt: number; expires: string } {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return { expiresAt: v.getTime(), expires: v.toISOString() };
  if (typeof v !== 'string' || v.trim() === '') {
    throw new PolicyError(
      file,
      field,
      'is required: an ISO date (2027-06-30) or date-time with a time zone ' +
        `(2027-06-30T18:00:00Z), got ${JSON.stringify(v)}`,
    );
  }
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const start = Date.parse(`${s}T00:00:00Z`);
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== s)
      throw new PolicyError(file, field, `${s} is not a valid date`);
    return { expiresAt: start + 86_400_000, expires: s };
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const at = Date.parse(s.replace(' ', 'T'));
    if (Number.isNaN(at)) throw new PolicyError(file, field, `${s} is not a valid date-time`);
    return { expiresAt: at, expires: s };
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s))
    throw new PolicyError(file, field, `${s} has no time zone; write e.g. ${s}Z (UTC) or ${s}+02:00`);
  throw new PolicyError(
    file,
    field,
    `${JSON.stringify(s)} is not an ISO date (2027-06-30) or date-time (2027-06-30T18:00:00Z)`,
  );
}

/** Validates a parsed consent policy against the node's data sets. */
export function parseConsentPolicy(input: unknown, file: string, opts: PolicyOptions): ConsentPolicy {
  const now = opts.now ?? Date.now();
  const served = opts.datasets;
  if (!isObj(input))
    throw new PolicyError(
      file,
      '(root)',
      'expected a mapping with analysts, datasets (optional), grants and sales (optional)',
    );
  onlyKnown(file, '', input, ['analysts', 'datasets', 'grants', 'sales']);

  const analysts: Record<string, string> = {};
  const analystsIn = input.analysts ?? {};
  if (!isObj(analystsIn))
    throw new PolicyError(
      file,
      'analysts',
      'must map analyst names to Ed25519 identities (64 hex characters, printed by `tessera keys create`)',
    );
  const byIdentity = new Map<string, string>();
  for (const [name, id] of Object.entries(analystsIn)) {
    const field = `analysts.${name}`;
    if (name === '*')
      throw new PolicyError(file, field, '"*" is reserved for "any analyst" in grants; choose another name');
    if (typeof id !== 'string' || !/^[0-9a-fA-F]{64}$/.test(id.trim())) {
      throw new PolicyError(
        file,
        field,
        `must be an Ed25519 identity, 64 hex characters (tessera keys create prints it), got ${JSON.stringify(id)}`,
      );
    }
    const hex = id.trim().toLowerCase();
    const other = byIdentity.get(hex);
    if (other !== undefined)
      throw new PolicyError(file, field, `has the same identity as analysts.${other}; give each identity one name`);
    byIdentity.set(hex, name);
    analysts[name] = hex;
  }

  const datasets: Record<string, DatasetRestriction> = {};
  const datasetsIn = input.datasets ?? {};
  if (!isObj(datasetsIn))
    throw new PolicyError(
      file,
      'datasets',
      'must map data set names to restrictions like { columns: [age, spend], label: churned, minGroupSize: 20 }',
    );
  for (const [name, r] of Object.entries(datasetsIn)) {
    const field = `datasets.${name}`;
    if (!served.includes(name))
      throw new PolicyError(
        file,
        field,
        `data set "${name}" is not in the node config (it serves: ${list(served) || 'none'}); ` +
          'its source is declared there',
      );
    if (!isObj(r)) throw new PolicyError(file, field, `must be a mapping with any of ${list(DATASET_FIELDS)}`);
    onlyKnown(file, field, r, DATASET_FIELDS);
    const out: DatasetRestriction = {};
    if (r.columns !== undefined) {
      const columns = stringList(file, `${field}.columns`, r.columns, 'column names');
      const dup = columns.find((c, i) => columns.indexOf(c) !== i);
      if (dup !== undefined) throw new PolicyError(file, `${field}.columns`, `lists "${dup}" twice`);
      out.columns = columns;
    }
    if (r.label !== undefined) {
      if (typeof r.label !== 'string' || r.label === '')
        throw new PolicyError(file, `${field}.label`, `must be a column name, got ${JSON.stringify(r.label)}`);
      if (out.columns && !out.columns.includes(r.label)) {
        throw new PolicyError(
          file,
          `${field}.label`,
          `"${r.label}" is not among ${field}.columns (${list(out.columns)}); add it there`,
        );
      }
      out.label = r.label;
    }
    Object.assign(out, queryFieldsOf(file, field, r));
    datasets[name] = out;
  }

  const grantsIn = input.grants;
  if (!Array.isArray(grantsIn))
    throw new PolicyError(file, 'grants', 'is required: a list of grants (an empty list allows nothing)');
  const grants: Grant[] = [];
  const ids = new Set<string>();
  grantsIn.forEach((g, i) => {
    const field = `grants[${i}]`;
    if (!isObj(g)) throw new PolicyError(file, field, 'must be a mapping with id, analysts, purposes and expires');
    onlyKnown(file, field, g, ['id', 'analysts', 'purposes', 'jobKinds', 'datasets', 'budget', 'expires']);
    if (typeof g.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(g.id)) {
      throw new PolicyError(
        file,
        `${field}.id`,
        `must be a name of letters, digits, ".", "_" and "-", got ${JSON.stringify(g.id)}`,
      );
    }
    if (ids.has(g.id))
      throw new PolicyError(file, `${field}.id`, `duplicate grant id "${g.id}"; grant ids must be unique`);
    ids.add(g.id);
    const who = stringList(file, `${field}.analysts`, g.analysts, 'analyst names (or "*" for any analyst)');
    for (const a of who) {
      if (a !== '*' && !(a in analysts))
        throw new PolicyError(
          file,
          `${field}.analysts`,
          `unknown analyst "${a}"; declare it under analysts (declared: ${list(Object.keys(analysts)) || 'none'})`,
        );
    }
    const purposes = stringList(file, `${field}.purposes`, g.purposes, `purposes (${list(PURPOSES)})`);
    for (const p of purposes)
      if (!(PURPOSES as readonly string[]).includes(p))
        throw new PolicyError(file, `${field}.purposes`, `unknown purpose "${p}"; purposes are ${list(PURPOSES)}`);
    const kinds =
      g.jobKinds === undefined
        ? [...DEFAULT_JOB_KINDS]
        : stringList(file, `${field}.jobKinds`, g.jobKinds, `job kinds (${list(JOB_KINDS)})`);
    for (const k of kinds)
      if (!(JOB_KINDS as readonly string[]).includes(k))
        throw new PolicyError(file, `${field}.jobKinds`, `unknown job kind "${k}"; job kinds are ${list(JOB_KINDS)}`);
    let ds: string[] | undefined;
    if (g.datasets !== undefined) {
      ds = stringList(file, `${field}.datasets`, g.datasets, 'data set names');
      for (const d of ds)
        if (!served.includes(d))
          throw new PolicyError(
            file,
            `${field}.datasets`,
            `data set "${d}" is not in the node config (it serves: ${list(served) || 'none'})`,
          );
    }
    let budget: Grant['budget'];
    if (g.budget !== undefined) {
      const b = g.budget;
      if (!isObj(b))
        throw new PolicyError(file, `${field}.budget`, 'must be a mapping like { perJob: 2, total: 8 } (epsilon caps)');
      onlyKnown(file, `${field}.budget`, b, ['perJob', 'total']);
      budget = {};
      for (const k of ['perJob', 'total'] as const) {
        if (b[k] === undefined) continue;
        const v = b[k];
        if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
          throw new PolicyError(
            file,
            `${field}.budget.${k}`,
            `must be a positive number (an epsilon), got ${JSON.stringify(v)}`,
          );
        budget[k] = v;
      }
      if (budget.perJob === undefined && budget.total === undefined)
        throw new PolicyError(file, `${field}.budget`, 'must set perJob and/or total');
    }
    const { expiresAt, expires } = parseExpiry(file, `${field}.expires`, g.expires);
    if ((opts.rejectExpired ?? true) && expiresAt <= now) {
      throw new PolicyError(file, `${field}.expires`, `${expires} is in the past; extend or remove the grant`);
    }
    grants.push({
      id: g.id,
      analysts: who,
      purposes: purposes as Purpose[],
      jobKinds: kinds as JobKind[],
      expiresAt,
      expires,
      ...(ds ? { datasets: ds } : {}),
      ...(budget ? { budget } : {}),
    });
  });
  let sales: SalesPolicy | undefined;
  try {
    sales = input.sales === undefined ? undefined : parseSalesPolicy(input.sales);
  } catch (e) {
    if (e instanceof SalesPolicyProblem) throw new PolicyError(file, e.field, e.message);
    throw e;
  }
  return { file, analysts, datasets, grants, ...(sales ? { sales } : {}) };
}

/** The privacy fields of a data set restriction: minGroupSize, identifierColumns and the two opt-outs. */
function queryFieldsOf(file: string, field: string, r: Obj): DatasetRestriction {
  const out: DatasetRestriction = {};
  if (r.minGroupSize !== undefined) {
    const v = r.minGroupSize;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
      throw new PolicyError(
        file,
        `${field}.minGroupSize`,
        'must be a whole number of rows, at least 1 (1 releases groups of any size; ' +
          `the starter policy uses ${DEFAULT_MIN_GROUP_SIZE}), got ${JSON.stringify(v)}`,
      );
    }
    out.minGroupSize = v;
  }
  if (r.identifierColumns !== undefined) {
    const v = r.identifierColumns;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
      throw new PolicyError(
        file,
        `${field}.identifierColumns`,
        `must be a list of column names (it may be empty: []), got ${JSON.stringify(v)}`,
      );
    }
    const dup = v.find((c, i) => v.indexOf(c) !== i);
    if (dup !== undefined) throw new PolicyError(file, `${field}.identifierColumns`, `lists "${dup}" twice`);
    out.identifierColumns = [...(v as string[])];
  }
  for (const k of ['allowIdentifierQueries', 'allowWithoutPrivacy'] as const) {
    if (r[k] === undefined) continue;
    if (typeof r[k] !== 'boolean')
      throw new PolicyError(file, `${field}.${k}`, `must be true or false, got ${JSON.stringify(r[k])}`);
    out[k] = r[k];
  }
  return out;
}

/** Reads and validates a consent policy file (YAML or JSON). */
export function loadConsentPolicy(file: string, opts: PolicyOptions): ConsentPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new PolicyError(file, '(file)', 'cannot be read; the participant config names it under policy');
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new PolicyError(file, '(syntax)', (e as Error).message);
  }
  return parseConsentPolicy(parsed, file, opts);
}
