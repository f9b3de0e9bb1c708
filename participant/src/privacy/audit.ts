import { existsSync } from 'node:fs';
import { DEFAULT_ORDERS, epsilonFor } from '@tessera/dp';
import type { DatasetBudget, ParticipantConfig } from '../config.js';
import { GENESIS_HASH, type AuditEntry, type ChainVerification } from './audit-chain.js';
import { PrivacyLedger, type DataUse } from './privacy-ledger.js';

export interface DatasetAudit {
  dataset: string;
  budget: DatasetBudget | null;
  /** Epsilon spent so far, at the budget's delta (or at 1e-5 without a budget). */
  spentEpsilon: number;
  remainingEpsilon: number | null;
  releases: number;
  jobs: string[];
}

export interface ParticipantAudit {
  ledger: string;
  datasets: DatasetAudit[];
  uses: DataUse[];
  /** The hash-chained audit log: every admitted use, refusal and revocation, oldest first. */
  log: AuditEntry[];
  /**
   * The chain recomputed: ok with the head hash (note it: deleting the newest entries is only detectable against a
   * noted head), or the first bad entry.
   */
  chain: ChainVerification;
  /** Stored payout receipts, parsed. */
  receipts: unknown[];
}

/** What a participant's ledger says: every use of its data and the privacy spent per data set. */
export function auditParticipant(config: ParticipantConfig): ParticipantAudit {
  const path = config.ledger ?? '';
  if (!path || !existsSync(path)) {
    return {
      ledger: path,
      uses: [],
      log: [],
      chain: { ok: true, entries: 0, head: GENESIS_HASH },
      receipts: [],
      datasets: Object.entries(config.datasets).map(([dataset, s]) => ({
        dataset,
        budget: s.budget ?? null,
        spentEpsilon: 0,
        remainingEpsilon: s.budget?.epsilon ?? null,
        releases: 0,
        jobs: [],
      })),
    };
  }
  const ledger = new PrivacyLedger(path);
  try {
    const datasets = Object.entries(config.datasets).map(([dataset, s]) => {
      const charges = ledger.charges(dataset);
      const spent = ledger.spentRdp(dataset, DEFAULT_ORDERS.length);
      const delta = s.budget?.delta ?? 1e-5;
      const spentEpsilon = charges.length ? epsilonFor(spent, DEFAULT_ORDERS, delta).epsilon : 0;
      return {
        dataset,
        budget: s.budget ?? null,
        spentEpsilon,
        remainingEpsilon: s.budget ? Math.max(0, s.budget.epsilon - spentEpsilon) : null,
        releases: charges.length,
        jobs: [...new Set(charges.map((c) => c.jobId))],
      };
    });
    const receipts = ledger.receipts().map((r) => {
      try {
        return JSON.parse(r) as unknown;
      } catch {
        return r;
      }
    });
    return {
      ledger: path,
      datasets,
      uses: ledger.uses(),
      log: ledger.auditLog(),
      chain: ledger.verifyAudit(),
      receipts,
    };
  } finally {
    ledger.close();
  }
}
