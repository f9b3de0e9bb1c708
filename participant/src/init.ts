import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { loadOrCreateSigningKeyPair, makePrivateDirectory } from '@tessera/crypto';
import type { DatasetBudget, DatasetSource } from './config.js';
import { createTlsKey, saveClientCertificate, TLS_CERTIFICATE_FILE, TLS_KEY_FILE } from './client-certificate.js';
import { pinCoordinator } from './coordinator-channel.js';
import { enroll } from './enroll.js';
import { InitRollback } from './init-rollback.js';
import { LocalData } from './local-data.js';
import { describePolicy } from './consent/describe-policy.js';
import {
  detectIdentifierColumns,
  detectIdentifierColumnsBy,
  type IdentifierColumn,
} from './consent/identifier-columns.js';
import { datasetRules, loadConsentPolicy, PolicyError, type ConsentPolicy } from './consent/policy.js';
import { oneYearAfter, STARTER_BUDGET, starterPolicyText } from './consent/starter-policy.js';

/**
 * A data source as `initParticipant` takes it: `exclude` is optional. The Omit distributes over the
 * union (`Omit<DatasetSource, 'exclude'>` on the union itself keeps only the common keys, which drops
 * SQLite's `table`).
 */
export type InitDatasetSource = OptionalExclude<DatasetSource>;
type OptionalExclude<S> = S extends unknown ? Omit<S, 'exclude'> & { exclude?: string[] } : never;

export interface InitOptions {
  /** Directory for the config file and the identity key. */
  dir: string;
  coordinator: string;
  /** The enrolment token; it carries the fingerprint of the coordinator's TLS trust anchor, which init pins. */
  token: string;
  /** The coordinator's TLS fingerprint, for a token without one (from an older coordinator). */
  tlsFingerprint?: string;
  /** Plaintext to a coordinator on loopback started with --insecure (refused for any other address). */
  insecure?: boolean;
  /**
   * The participant's name, if given: the coordinator operator names it with the token (tessera coordinator enroll
   * NAME), and enrolment under another name is refused. Absent: the token's name.
   */
  name?: string;
  datasets: Record<string, InitDatasetSource>;
  /**
   * The consent policy. A file: checked before enrolling (a bad one does not use up the token).
   * Absent (the default): a starter policy is written beside the config as policy.yaml (differential
   * privacy required, a minimum group size, the identifier-like columns found in the data, one grant
   * to any analyst for training and queries). false: no policy, so the node serves every request and
   * warns at start (simulations and benchmarks that own all the data).
   */
  policy?: string | false;
  /**
   * Data sets the starter policy also serves without differential privacy (allowWithoutPrivacy: true; no budget is
   * written for them).
   */
  allowWithoutPrivacy?: string[];
  /**
   * The budget written for every data set served only with differential privacy that has none (default epsilon 10 at
   * delta 1e-6, unit record).
   */
  budget?: DatasetBudget;
  /** The time the starter grant's year counts from (default now). */
  now?: Date;
}

export interface InitResult {
  configPath: string;
  participantId: string;
  /** The consent policy the config names (the starter policy written, or the file given); absent with policy: false. */
  policyPath?: string;
  /** True when init wrote the starter policy. */
  starterPolicy: boolean;
  /** Per data set, the identifier-like columns found in the data (starter policy only). */
  identifierColumns: Record<string, IdentifierColumn[]>;
  /**
   * What the node allows, in plain words, one fact a line (lines indented by two spaces belong to the data set above).
   */
  allows: string[];
}

const POLICY_FILE = 'policy.yaml';
/** The coordinator's TLS trust anchor, pinned at init, beside the config. */
const COORDINATOR_CA_FILE = 'coordinator-ca.pem';

/**
 * Creates an identity key, enrols with the coordinator and writes participant.yaml (and, by default, a starter
 * policy.yaml). A failure (a refused token, an unreachable coordinator) leaves behind no directory or file it created.
 */
export async function initParticipant(o: InitOptions): Promise<InitResult> {
  const rollback = new InitRollback(o.dir);
  try {
    return await initSteps(o, rollback);
  } catch (e) {
    rollback.undo();
    throw e;
  }
}

async function initSteps(o: InitOptions, rollback: InitRollback): Promise<InitResult> {
  const names = Object.keys(o.datasets);
  const optedOut = o.allowWithoutPrivacy ?? [];
  for (const d of optedOut) {
    if (!names.includes(d))
      throw new PolicyError(
        '(init)',
        'allowWithoutPrivacy',
        `data set "${d}" is not among the data sets to serve (${names.join(', ')}); name one of them`,
      );
  }
  if (optedOut.length && o.policy !== undefined) {
    throw new PolicyError(
      typeof o.policy === 'string' ? o.policy : '(init)',
      'allowWithoutPrivacy',
      'opts data sets out of differential privacy in the starter policy; ' +
        'with your own policy file set datasets.NAME.allowWithoutPrivacy: true in it instead',
    );
  }
  let given: ConsentPolicy | undefined;
  if (typeof o.policy === 'string') given = loadConsentPolicy(o.policy, { datasets: names });
  const starterPath = join(o.dir, POLICY_FILE);
  const identifierColumns: Record<string, IdentifierColumn[]> = {};
  if (o.policy === undefined) {
    if (existsSync(starterPath)) {
      throw new PolicyError(
        starterPath,
        '(file)',
        `already exists; pass --policy ${starterPath} to use it, or move it away for a new starter policy`,
      );
    }
    // Read before enrolling: an unreadable source leaves the token unused.
    const data = new LocalData(
      Object.fromEntries(
        Object.entries(o.datasets).map(([k, v]): [string, DatasetSource] => [k, { ...v, exclude: v.exclude ?? [] }]),
      ),
    );
    try {
      await data.open();
      for (const name of names) {
        const measured = data.columnUniqueness(name);
        identifierColumns[name] =
          typeof measured === 'function'
            ? detectIdentifierColumnsBy(data.columnNames(name), (c) => measured(c).unique)
            : detectIdentifierColumns(measured);
      }
    } finally {
      await data.close();
    }
  }

  // First contact before anything is written: a wrong fingerprint leaves no files and the token unused.
  const security = await pinCoordinator(o);
  // The directory holds the identity key and the ledger: owner-only when created here.
  makePrivateDirectory(o.dir);
  const keyPath = rollback.adding(join(o.dir, 'identity.key'));
  const identity = loadOrCreateSigningKeyPair(keyPath);
  // Mutual TLS: the node's own TLS key, certified by the coordinator's CA at enrolment.
  const tlsKey = security.mode === 'tls' ? await createTlsKey() : undefined;
  const enrolled = await enroll(o.coordinator, o.token, o.name ?? '', identity, security, tlsKey?.publicKey);
  const { participantId, name: enrolledName } = enrolled;
  if (security.mode === 'tls') writeFileSync(rollback.adding(join(o.dir, COORDINATOR_CA_FILE)), security.anchorPem);
  const certified = tlsKey !== undefined && enrolled.clientCertificate !== '';
  if (certified) {
    const paths = {
      key: rollback.adding(join(o.dir, TLS_KEY_FILE)),
      certificate: rollback.adding(join(o.dir, TLS_CERTIFICATE_FILE)),
    };
    saveClientCertificate(paths, tlsKey.keyPem, enrolled.clientCertificate);
  }

  let policyPath: string | undefined;
  if (o.policy === undefined) {
    const now = o.now ?? new Date();
    writeFileSync(
      rollback.adding(starterPath),
      starterPolicyText({
        now,
        expires: oneYearAfter(now),
        datasets: Object.fromEntries(
          // identifierColumns has every data set: they were detected above, as there is no policy
          names.map((n) => [n, { identifiers: identifierColumns[n]!, allowWithoutPrivacy: optedOut.includes(n) }]),
        ),
      }),
    );
    policyPath = starterPath;
  } else if (typeof o.policy === 'string') {
    policyPath = o.policy;
  }
  const policy = given ?? (policyPath ? loadConsentPolicy(policyPath, { datasets: names }) : undefined);
  const budgets: Record<string, DatasetBudget | undefined> = {};
  for (const [n, source] of Object.entries(o.datasets)) {
    const own = source.budget;
    budgets[n] =
      own ?? (policy && !datasetRules(policy, n).allowWithoutPrivacy ? { ...(o.budget ?? STARTER_BUDGET) } : undefined);
  }

  const configPath = join(o.dir, 'participant.yaml');
  const datasets = Object.fromEntries(
    Object.entries(o.datasets).map(([k, v]) => [
      k,
      {
        ...v,
        ...('path' in v ? { path: relative(o.dir, v.path) || '.' } : {}),
        ...(budgets[k] ? { budget: budgets[k] } : {}),
      },
    ]),
  );
  writeFileSync(
    rollback.adding(configPath),
    [
      '# Tessera participant node. Raw rows never leave this machine: only model updates and aggregate statistics do.',
      '# They leave only through secure aggregation (datasets.NAME.secure: masked by default; none allows plaintext),',
      '# in rounds of at least minimums.cohort participants and minimums.threshold shares (default 2 and 2).',
      ...(policy
        ? [
            "# Each data set's budget caps the differential privacy spent on it; " +
              'the consent policy says who may use it, for what.',
          ]
        : []),
      stringify({
        name: enrolledName,
        coordinator: o.coordinator,
        ...(security.mode === 'tls' ? { coordinatorCa: COORDINATOR_CA_FILE } : { insecure: true }),
        ...(certified ? { tlsKey: TLS_KEY_FILE, tlsCertificate: TLS_CERTIFICATE_FILE } : {}),
        participantId,
        identityKey: 'identity.key',
        datasets,
        ...(policyPath ? { policy: relative(o.dir, policyPath) } : {}),
      }),
    ].join('\n'),
  );
  const allows = policy
    ? describePolicy(policy, budgets)
    : [
        'no consent policy: this node serves every request without differential privacy ' +
          '(except on data sets with a budget); add a policy (policy: FILE in participant.yaml; ' +
          'tessera participant init writes a starter one)',
      ];
  return {
    configPath,
    participantId,
    ...(policyPath ? { policyPath } : {}),
    starterPolicy: o.policy === undefined,
    identifierColumns,
    allows,
  };
}
