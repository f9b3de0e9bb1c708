import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseOverlapPolicy, type OverlapPolicy } from './overlap-policy.js';

/** A differential-privacy budget the owner sets for one data set; jobs are refused beyond it. */
export interface DatasetBudget {
  epsilon: number;
  delta: number;
  /** record: protects each customer row; participant: protects this merchant's whole data set. */
  unit: 'record' | 'participant';
}

/**
 * The weakest protection a data set's sums may travel under, weakest last: sealed (secure aggregation whose result
 * only the analyst can decrypt), masked (secure aggregation, sealed also accepted; the default), none (plaintext
 * uploads also accepted: the owner's explicit opt-out). See protection-minimums.ts.
 */
export type SecureRequirement = 'sealed' | 'masked' | 'none';
export const SECURE_REQUIREMENTS: readonly SecureRequirement[] = ['sealed', 'masked', 'none'];

/** The smallest secure round this node joins: participants (n) and Shamir threshold (t). */
export interface ProtectionMinimums {
  cohort: number;
  threshold: number;
}
/** Two is the least SecAgg+ allows for both (a sum of one is the input itself; t = 1 hands out the secrets). */
export const DEFAULT_MINIMUMS: ProtectionMinimums = { cohort: 2, threshold: 2 };

/**
 * `columns` is never read from the node config: the node sets it from its consent policy
 * (`datasets.NAME.columns`, with the policy file in `columnsFrom`), and only those columns are then served.
 */
export type DatasetSource = (
  | { type: 'csv'; path: string }
  | { type: 'parquet'; path: string }
  | { type: 'sqlite'; path: string; table: string }
  /** A PostgreSQL table or view; `url` is a postgres:// connection string (its password is never logged). */
  | { type: 'postgres'; url: string; table: string }
) & {
  exclude: string[];
  budget?: DatasetBudget;
  columns?: string[];
  columnsFrom?: string;
  /** The column naming whose row it is, where there is one: a customer-unit query must use it. */
  customerKey?: string;
  /** The weakest secure mode this data set's tasks may use (default masked). */
  secure?: SecureRequirement;
  /** Overrides the node's `minimums` for this data set. */
  minimums?: Partial<ProtectionMinimums>;
};

/** A participant node's settings, from its config file (YAML or JSON) and flags. */
export interface ParticipantConfig {
  name: string;
  /** host:port of the coordinator's gRPC endpoint. */
  coordinator: string;
  /**
   * The coordinator's TLS trust anchor (PEM file), pinned at init from the fingerprint in the enrolment token: the only
   * root this node trusts on its TLS channel.
   */
  coordinatorCa?: string;
  /** Plaintext to a coordinator on loopback started with --insecure (refused for any other address). */
  insecure?: boolean;
  /**
   * The node's TLS client key (PEM, 0600) and the certificate the coordinator's CA issued for it (mutual TLS), written
   * by init or `tessera participant renew-cert`; default tls.key and tls.pem beside the config when both exist.
   */
  tlsKey?: string;
  tlsCertificate?: string;
  /** Assigned at enrolment. */
  participantId: string;
  /** The Ed25519 identity key file (created by `tessera participant init`). */
  identityKey: string;
  /** Logical data set name -> local source. Only these names are served. */
  datasets: Record<string, DatasetSource>;
  /**
   * The durable ledger of data uses and privacy spent (SQLite; default: NAME-ledger.sqlite beside the config; in memory
   * when absent).
   */
  ledger?: string;
  /**
   * Sealed mode: Ed25519 identities (hex) of the analysts whose keys this node encrypts under; empty: any analyst that
   * signed its key.
   */
  trustedAnalysts?: string[];
  /**
   * Payout receipts must be signed by this coordinator ledger key (hex); default: the key of the first receipt kept.
   */
  coordinatorKey?: string;
  /** The consent policy file (grants per analyst, purpose and data set); absent: every request is allowed. */
  policy?: string;
  /** The smallest secure round this node joins (default DEFAULT_MINIMUMS); data sets may override it. */
  minimums?: ProtectionMinimums;
  /**
   * A roster authority's Ed25519 public key (hex): every participant of a secure round must hold its roster
   * certificate (tessera roster sign), so a coordinator cannot fill a cohort with nodes of its own.
   */
  rosterAuthority?: string;
  /** This node's roster certificate file (JSON, written by tessera roster sign), sent to the coordinator. */
  rosterCertificate?: string;
  /** Audience overlap: the minimum set size and the peers that may count (overlap-policy.ts); default 100, none. */
  overlap?: OverlapPolicy;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed config; relative paths are resolved against `baseDir`. */
export function parseParticipantConfig(input: unknown, file: string, baseDir: string): ParticipantConfig {
  if (!isObj(input))
    throw new ConfigError(
      file,
      '(root)',
      'expected a mapping with name, coordinator, participantId, identityKey and datasets',
    );
  const known = [
    'name',
    'coordinator',
    'participantId',
    'identityKey',
    'datasets',
    'ledger',
    'trustedAnalysts',
    'policy',
    'coordinatorKey',
    'coordinatorCa',
    'insecure',
    'tlsKey',
    'tlsCertificate',
    'minimums',
    'rosterAuthority',
    'rosterCertificate',
    'overlap',
  ];
  for (const k of Object.keys(input))
    if (!known.includes(k)) throw new ConfigError(file, k, `unknown field; known fields: ${known.join(', ')}`);
  const text = (field: string): string => {
    const v = input[field];
    if (typeof v !== 'string' || v.trim() === '')
      throw new ConfigError(file, field, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const datasetsIn = input.datasets;
  if (!isObj(datasetsIn) || Object.keys(datasetsIn).length === 0) {
    throw new ConfigError(
      file,
      'datasets',
      'must map at least one data set name to a source, e.g. customers: { type: csv, path: ./customers.csv }',
    );
  }
  const datasets: Record<string, DatasetSource> = {};
  for (const [name, src] of Object.entries(datasetsIn)) {
    const field = `datasets.${name}`;
    if (!isObj(src)) throw new ConfigError(file, field, 'must be a mapping with type and path');
    const exclude = src.exclude === undefined ? [] : src.exclude;
    if (!Array.isArray(exclude) || exclude.some((c) => typeof c !== 'string'))
      throw new ConfigError(file, `${field}.exclude`, 'must be a list of column names');
    const common = {
      exclude: exclude as string[],
      ...(src.budget === undefined ? {} : { budget: parseBudget(src.budget, file, `${field}.budget`) }),
      ...parseDatasetProtection(src, file, field),
      ...parseCustomerKey(src, file, field),
    };
    datasets[name] = { ...parseSourceLocation(src, file, field, at), ...common };
  }
  const name = text('name');
  if (input.ledger !== undefined && (typeof input.ledger !== 'string' || !input.ledger))
    throw new ConfigError(file, 'ledger', 'must be a file path');
  if (input.coordinatorCa !== undefined && (typeof input.coordinatorCa !== 'string' || !input.coordinatorCa))
    throw new ConfigError(file, 'coordinatorCa', "must be a file path (the coordinator's TLS certificate, PEM)");
  for (const field of ['tlsKey', 'tlsCertificate'])
    if (input[field] !== undefined && (typeof input[field] !== 'string' || !input[field]))
      throw new ConfigError(file, field, 'must be a file path (PEM; tessera participant renew-cert writes it)');
  // A node given a certificate by renew-cert has the default files without naming them in its config.
  const tls =
    typeof input.tlsKey === 'string' && typeof input.tlsCertificate === 'string'
      ? { tlsKey: at(input.tlsKey), tlsCertificate: at(input.tlsCertificate) }
      : existsSync(at('tls.key')) && existsSync(at('tls.pem'))
        ? { tlsKey: at('tls.key'), tlsCertificate: at('tls.pem') }
        : {};
  if (input.insecure !== undefined && typeof input.insecure !== 'boolean')
    throw new ConfigError(file, 'insecure', `must be true or false, got ${JSON.stringify(input.insecure)}`);
  if (input.policy !== undefined && (typeof input.policy !== 'string' || !input.policy))
    throw new ConfigError(file, 'policy', 'must be a file path (a consent policy, YAML or JSON)');
  const trusted = input.trustedAnalysts ?? [];
  if (!Array.isArray(trusted) || trusted.some((t) => typeof t !== 'string' || !/^[0-9a-f]{64}$/.test(t))) {
    throw new ConfigError(
      file,
      'trustedAnalysts',
      'must be a list of analyst identities, 64 hex characters each (tessera keys create prints them)',
    );
  }
  if (
    input.rosterCertificate !== undefined &&
    (typeof input.rosterCertificate !== 'string' || !input.rosterCertificate)
  )
    throw new ConfigError(file, 'rosterCertificate', 'must be a file path (a roster certificate: tessera roster sign)');
  const overlapFail = (field: string, message: string): never => {
    throw new ConfigError(file, field, message);
  };
  return {
    name,
    ...(input.overlap !== undefined ? { overlap: parseOverlapPolicy(input.overlap, overlapFail) } : {}),
    ...(input.minimums !== undefined ? { minimums: parseMinimums(input.minimums, file, 'minimums') } : {}),
    ...(input.rosterAuthority !== undefined
      ? { rosterAuthority: hexKey(input.rosterAuthority, file, 'rosterAuthority') }
      : {}),
    ...(typeof input.rosterCertificate === 'string' ? { rosterCertificate: at(input.rosterCertificate) } : {}),
    ...(trusted.length ? { trustedAnalysts: trusted as string[] } : {}),
    ...(input.coordinatorKey !== undefined ? { coordinatorKey: hexKey(input.coordinatorKey, file) } : {}),
    ...(typeof input.policy === 'string' ? { policy: at(input.policy) } : {}),
    coordinator: text('coordinator'),
    ...(typeof input.coordinatorCa === 'string' ? { coordinatorCa: at(input.coordinatorCa) } : {}),
    ...(input.insecure === true ? { insecure: true } : {}),
    ...tls,
    participantId: text('participantId'),
    identityKey: at(text('identityKey')),
    datasets,
    ledger: at(
      typeof input.ledger === 'string' ? input.ledger : `${name.replace(/[^A-Za-z0-9_-]/g, '_')}-ledger.sqlite`,
    ),
  };
}

function hexKey(v: unknown, file: string, field = 'coordinatorKey'): string {
  if (typeof v !== 'string' || !/^[0-9a-fA-F]{64}$/.test(v)) {
    const what =
      field === 'coordinatorKey'
        ? "the coordinator's ledger key, 64 hex characters " +
          '(printed as coordinatorPublicKey by tessera ledger export --json)'
        : "the roster authority's public key, 64 hex characters (printed by tessera roster keygen)";
    throw new ConfigError(file, field, `must be ${what}, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase();
}

const SOURCE_TYPES = 'csv, parquet, sqlite or postgres';

/** Where a data set's rows are: `type` and its `path` (csv, parquet, sqlite with `table`) or `url` and `table`. */
function parseSourceLocation(
  src: Obj,
  file: string,
  field: string,
  at: (p: string) => string,
):
  | { type: 'csv' | 'parquet'; path: string }
  | { type: 'sqlite'; path: string; table: string }
  | { type: 'postgres'; url: string; table: string } {
  const table = () => {
    if (typeof src.table !== 'string' || !src.table)
      throw new ConfigError(file, `${field}.table`, `is required for a ${String(src.type)} source (a table or view)`);
    return src.table;
  };
  if (src.type === 'postgres') {
    if (typeof src.url !== 'string' || !/^postgres(ql)?:\/\//.test(src.url))
      throw new ConfigError(file, `${field}.url`, 'is required: a postgres://user:password@host:port/database url');
    return { type: 'postgres', url: src.url, table: table() };
  }
  if (src.type !== 'csv' && src.type !== 'parquet' && src.type !== 'sqlite')
    throw new ConfigError(file, `${field}.type`, `must be ${SOURCE_TYPES}, got ${JSON.stringify(src.type)}`);
  if (typeof src.path !== 'string' || !src.path)
    throw new ConfigError(file, `${field}.path`, 'is required (a file path)');
  if (src.type === 'sqlite') return { type: 'sqlite', path: at(src.path), table: table() };
  return { type: src.type, path: at(src.path) };
}

/** `datasets.NAME.customerKey`, when given. */
function parseCustomerKey(src: Obj, file: string, field: string): { customerKey?: string } {
  if (src.customerKey === undefined) return {};
  if (typeof src.customerKey !== 'string' || !src.customerKey)
    throw new ConfigError(file, `${field}.customerKey`, 'must be a column name (the column naming the customer)');
  return { customerKey: src.customerKey };
}

/** `datasets.NAME.secure` and `datasets.NAME.minimums`, when given. */
function parseDatasetProtection(
  src: Obj,
  file: string,
  field: string,
): { secure?: SecureRequirement; minimums?: Partial<ProtectionMinimums> } {
  const out: { secure?: SecureRequirement; minimums?: Partial<ProtectionMinimums> } = {};
  if (src.secure !== undefined) {
    if (!SECURE_REQUIREMENTS.includes(src.secure as SecureRequirement))
      throw new ConfigError(
        file,
        `${field}.secure`,
        `must be one of ${SECURE_REQUIREMENTS.join(', ')} (the weakest secure mode its tasks may use; ` +
          `none allows plaintext uploads), got ${JSON.stringify(src.secure)}`,
      );
    out.secure = src.secure as SecureRequirement;
  }
  if (src.minimums !== undefined) out.minimums = parseMinimums(src.minimums, file, `${field}.minimums`, true);
  return out;
}

/** `minimums: { cohort, threshold }`: integers of at least 2, threshold at most cohort. */
function parseMinimums(v: unknown, file: string, field: string, partial = false): ProtectionMinimums {
  if (!isObj(v)) throw new ConfigError(file, field, 'must be a mapping like { cohort: 3, threshold: 2 }');
  for (const k of Object.keys(v))
    if (k !== 'cohort' && k !== 'threshold')
      throw new ConfigError(file, `${field}.${k}`, 'unknown field; known fields: cohort, threshold');
  const count = (k: 'cohort' | 'threshold', what: string): number | undefined => {
    const x = v[k];
    if (x === undefined && partial) return undefined;
    if (x === undefined) return DEFAULT_MINIMUMS[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 2 || x > 65535)
      throw new ConfigError(
        file,
        `${field}.${k}`,
        `must be an integer from 2 to 65535 (${what}), got ${JSON.stringify(x)}`,
      );
    return x;
  };
  const cohort = count('cohort', 'the fewest participants of a secure round this node joins');
  const threshold = count('threshold', 'the fewest shares that may unmask a secure round this node joins');
  if (cohort !== undefined && threshold !== undefined && threshold > cohort)
    throw new ConfigError(
      file,
      `${field}.threshold`,
      `${threshold} is above ${field}.cohort ${cohort}: no round could meet both; lower it or raise the cohort`,
    );
  return {
    ...(cohort !== undefined ? { cohort } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
  } as ProtectionMinimums;
}

function parseBudget(v: unknown, file: string, field: string): DatasetBudget {
  if (!isObj(v)) throw new ConfigError(file, field, 'must be a mapping like { epsilon: 8, delta: 1e-5, unit: record }');
  for (const k of Object.keys(v))
    if (!['epsilon', 'delta', 'unit'].includes(k))
      throw new ConfigError(file, `${field}.${k}`, 'unknown field; known fields: epsilon, delta, unit');
  const { epsilon, delta } = v;
  const unit = v.unit ?? 'record';
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon))
    throw new ConfigError(file, `${field}.epsilon`, `must be a positive number, got ${JSON.stringify(epsilon)}`);
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1))
    throw new ConfigError(
      file,
      `${field}.delta`,
      `must be a number between 0 and 1 (e.g. 1e-5), got ${JSON.stringify(delta)}`,
    );
  if (unit !== 'record' && unit !== 'participant')
    throw new ConfigError(file, `${field}.unit`, `must be "record" or "participant", got ${JSON.stringify(unit)}`);
  return { epsilon, delta, unit };
}

export function loadParticipantConfig(file: string): ParticipantConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(file, '(file)', 'cannot be read; create one with `tessera participant init`');
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    throw new ConfigError(file, '(syntax)', (e as Error).message);
  }
  return parseParticipantConfig(parsed, file, dirname(resolve(file)));
}
