/**
 * A job's payout as the coordinator recorded it in its ledger, and as `tessera payouts show` and the
 * demo print it: the split of the pool and where it sits in the ledger (or why it was not made).
 */
export interface PayoutsView {
  status: 'paid' | 'refused' | 'failed';
  reason?: string;
  method: string;
  metric: string;
  pool: number;
  currency: string;
  entries: { participant: string; value: number; share: number; amount: number; seq?: number }[];
  evaluations?: number;
  valuationSeconds?: number;
  ledgerHead?: string;
  coordinatorPublicKey: string;
  /** A DP job's records valuation: the epsilon (at valuationDelta) its count release cost every contributor. */
  valuationEpsilon?: number;
  valuationDelta?: number;
}
