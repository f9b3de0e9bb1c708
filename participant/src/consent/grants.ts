import { existsSync } from 'node:fs';
import { DEFAULT_ORDERS } from '@tessera/dp';
import { epsilonOfRdp } from '@tessera/fl';
import type { ParticipantConfig } from '../config.js';
import { PrivacyLedger, type GrantRevocation } from '../privacy/privacy-ledger.js';
import { isoSeconds } from './consent-guard.js';
import { loadConsentPolicy, PolicyError, type ConsentPolicy, type Grant } from './policy.js';

/** A grant of the node's policy and where it stands now. */
export interface GrantStatus {
  id: string;
  analysts: string[];
  purposes: string[];
  jobKinds: string[];
  /** null: every data set of the node. */
  datasets: string[] | null;
  budget: { perJob?: number; total?: number } | null;
  expires: string;
  status: 'active' | 'revoked' | 'expired';
  /** ISO time of the revocation, and its reason. */
  revokedAt?: string;
  reason?: string;
  /** Epsilon spent under this grant so far (at the delta of its only data set's budget, or 1e-5). */
  spentEpsilon: number;
}

/** The node's consent policy, including grants that have expired (for listing and revoking). */
export function policyOf(config: ParticipantConfig): ConsentPolicy {
  if (!config.policy)
    throw new PolicyError(
      '(participant config)',
      'policy',
      'this node has no consent policy (add policy: ./policy.yaml to its config); ' +
        'without one every request is allowed and there is nothing to revoke',
    );
  return loadConsentPolicy(config.policy, { datasets: Object.keys(config.datasets), rejectExpired: false });
}

function withLedger<T>(config: ParticipantConfig, f: (ledger: PrivacyLedger | undefined) => T): T {
  const path = config.ledger ?? '';
  if (!path || path === ':memory:' || !existsSync(path)) return f(undefined);
  const ledger = new PrivacyLedger(path);
  try {
    return f(ledger);
  } finally {
    ledger.close();
  }
}

/**
 * Every grant of the node's policy with its status (active, revoked at, expired) at `now`. `policy`: the one a
 * running node loaded and enforces (node.consent.policy); default the policy file as it is now.
 */
export function grantStatuses(config: ParticipantConfig, now = Date.now(), policy = policyOf(config)): GrantStatus[] {
  return withLedger(config, (ledger) => {
    const revocations = ledger?.revocations() ?? new Map<string, GrantRevocation>();
    return policy.grants.map((g) => statusOf(config, g, revocations.get(g.id), now, ledger));
  });
}

function statusOf(
  config: ParticipantConfig,
  g: Grant,
  r: GrantRevocation | undefined,
  now: number,
  ledger: PrivacyLedger | undefined,
): GrantStatus {
  const [sole] = g.datasets?.length === 1 ? g.datasets : [];
  const only = sole === undefined ? undefined : config.datasets[sole]?.budget;
  const rdp = ledger?.grantRdp(g.id, DEFAULT_ORDERS.length);
  const spentEpsilon = rdp?.some((v) => v > 0) ? epsilonOfRdp(rdp, only?.delta ?? 1e-5) : 0;
  return {
    id: g.id,
    analysts: g.analysts,
    purposes: g.purposes,
    jobKinds: g.jobKinds,
    datasets: g.datasets ?? null,
    budget: g.budget ?? null,
    expires: g.expires,
    status: r ? 'revoked' : now >= g.expiresAt ? 'expired' : 'active',
    ...(r ? { revokedAt: isoSeconds(r.at), reason: r.reason } : {}),
    spentEpsilon,
  };
}

export interface RevokeResult {
  grantId: string;
  /** ISO time of the revocation, to the second (the earlier one if the grant was already revoked). */
  at: string;
  /** The same, in milliseconds since the epoch. */
  atMs: number;
  reason: string;
  ledger: string;
  alreadyRevoked: boolean;
}

/**
 * Revokes a grant of the node's policy, durably, in the node's ledger: a running node reads
 * revocations before every task, so the grant's next task is refused, without a restart. The
 * revocation is also appended to the audit log. Unknown grant id: PolicyError listing the ids.
 */
export function revokeGrant(
  config: ParticipantConfig,
  grantId: string,
  opts: { reason?: string; now?: number } = {},
): RevokeResult {
  const policy = policyOf(config);
  if (!policy.grants.some((g) => g.id === grantId)) {
    throw new PolicyError(
      policy.file,
      'grants',
      `no grant "${grantId}" in the policy; its grant ids: ${policy.grants.map((g) => g.id).join(', ') || 'none'}`,
    );
  }
  const path = config.ledger;
  if (!path || path === ':memory:')
    throw new PolicyError(
      '(participant config)',
      'ledger',
      "revocations are kept in the node's ledger file; this node has none",
    );
  const ledger = new PrivacyLedger(path);
  try {
    const at = opts.now ?? Date.now();
    const reason = opts.reason ?? '';
    const asked = { grantId, at, reason };
    const kept = ledger.revokeGrant(asked);
    return {
      grantId,
      at: isoSeconds(kept.at),
      atMs: kept.at,
      reason: kept.reason,
      ledger: path,
      alreadyRevoked: kept !== asked,
    };
  } finally {
    ledger.close();
  }
}
