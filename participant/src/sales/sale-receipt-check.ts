// A sale's receipt against the node's own answer to the sale: the coordinator holds the ledger key and can write a
// payout to any member for any sale, so the node keeps one only for a sale it consented to, on the terms it saw.
import type { LedgerEntry } from '@tessera/payouts';
import type { AuditFields } from '../privacy/audit-chain.js';
import { productTerms, receiptTerms } from './sale-audit.js';

/**
 * Why the node does not keep this receipt, or undefined to keep it. A job's own payout (no sale) is not a sale's. A
 * sale's payout or refund is kept only when `answers` (the node's audit entries of kind `sale` for its sale id:
 * PrivacyLedger.saleAnswers) hold an acceptance of the same product and jobs; else it is a payout for a sale the
 * node refused, was never asked about (a coordinator may not sell a member's data without asking it), or consented
 * to on other terms. A refund of such a sale is refused too: it takes back a payout the node never kept.
 */
export function saleReceiptRefusal(e: LedgerEntry, answers: readonly AuditFields[]): string | undefined {
  if (!e.sale) return undefined;
  const terms = productTerms(e.product ?? '', e.job.split('+'));
  const accepted = answers.filter((a) => a.reason.startsWith(`accepted: sale ${e.sale} of product "`));
  if (accepted.some((a) => a.reason.includes(terms))) return undefined;
  const why =
    accepted.length > 0
      ? `this node consented to sale ${e.sale} for another product or other jobs, not the terms this entry names`
      : answers.length > 0
        ? `this node refused the sale (see its audit entry of kind sale for ${e.sale})`
        : `this node was never asked about sale ${e.sale}, so it never consented to it`;
  return `refused: ${receiptTerms(e)}: ${why}; not kept (a member is paid only for a sale it consented to)`;
}
