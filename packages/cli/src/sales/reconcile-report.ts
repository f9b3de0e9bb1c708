import type { Reconciliation } from '@tessera/payouts';
import { renderTable } from '../ui/table.js';
import type { VerifiedLedger } from './verified-ledger.js';

/** `tessera payouts reconcile --json`: the reconciliation of a verified ledger, with its head and key. */
export type ReconcileReport = Reconciliation & {
  ledger: { entries: number; head: string; seq: number; coordinatorPublicKey: string; source: string };
  /** The sales that do not balance (or that a problem names), by id. */
  unbalancedSales: string[];
};

/** Reconciles a verified ledger exactly (reconcileLedger of @tessera/payouts). */
export async function reconcileReport(ledger: VerifiedLedger): Promise<ReconcileReport> {
  const { reconcileLedger } = await import('@tessera/payouts');
  const r = reconcileLedger(ledger.entries);
  const named = new Set(r.sales.filter((s) => !s.balanced).map((s) => s.sale));
  for (const s of r.sales) if (r.problems.some((p) => p.includes(`sale ${s.sale}`))) named.add(s.sale);
  return {
    ...r,
    ledger: {
      entries: ledger.entries.length,
      head: ledger.head.hash,
      seq: ledger.head.seq,
      coordinatorPublicKey: ledger.key,
      source: ledger.source,
    },
    unbalancedSales: [...named],
  };
}

/** The columns of a currency's row of the reconciliation (currencyCells). */
export const CURRENCY_COLUMNS = ['currency', 'sales', 'buyer refunds', 'paid', 'refunded', 'difference', 'balanced'];

/** A currency's row of the reconciliation: what buyers paid and members were paid, and whether it balances. */
export function currencyCells(c: Reconciliation['currencies'][number]): (string | number)[] {
  return [c.currency, c.sales, c.buyerRefunds, c.paid, c.refunded, c.difference, c.balanced ? 'yes' : 'NO'];
}

/** The reconciliation for a person: per currency, then the verdict and any problems. */
export function renderReconcile(r: ReconcileReport): string {
  const table = renderTable(
    [...CURRENCY_COLUMNS, "jobs' own payouts"],
    r.currencies.map((c) => [...currencyCells(c), c.jobPayouts]),
  );
  const verdict = r.balanced
    ? `balanced: ${r.sales.length} sale(s) in ${r.ledger.entries} verified entries, head ${r.ledger.head}`
    : `NOT balanced: ${r.problems.length} problem(s)` +
      (r.unbalancedSales.length ? `; sales at fault: ${r.unbalancedSales.join(', ')}` : '');
  const problems = r.problems.map((p) => `  ${p}\n`).join('');
  return `${r.currencies.length ? `${table}\n` : 'no entries\n'}${verdict}\n${problems}`;
}
