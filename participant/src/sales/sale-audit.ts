// The audit log's record of sales: the node's answer to each sale, and each payout or refund of a sale it kept.
import type { LedgerEntry } from '@tessera/payouts';
import { blankAuditFields, type AuditFields } from '../privacy/audit-chain.js';
import type { Sale, SaleDecision } from './sale-rules.js';

/** `1250 EUR` (minor units, as the ledger counts them). */
const money = (amount: number, currency: string) => `${amount} ${currency} (minor units)`;

/**
 * The product's part of a sale's terms in its audit entry, `(prod-…) built from jobs job-1, job-2, `: what a receipt
 * of the sale is checked against (sale-receipt-check.ts).
 */
export const productTerms = (productId: string, jobs: readonly string[]) =>
  `(${productId}) built from jobs ${jobs.join(', ')}, `;

/** `payout of 600 EUR (minor units) for sale … of product … (jobs …), ledger seq 7`: a sale's receipt. */
export const receiptTerms = (e: LedgerEntry) =>
  `${e.kind ?? 'payout'} of ${money(e.amount, e.currency)} for sale ${e.sale} of product ${e.product ?? ''} ` +
  `(jobs ${e.job.split('+').join(', ')}), ledger seq ${e.seq}`;

/**
 * The audit entry of the node's answer to a sale: kind `sale`, the sale id as its job, stage `sale`, purpose `sale`,
 * the seller as its analyst when the seller is an identity, and a reason that starts with `accepted:` or
 * `refused:` and names the sale, the product (name and id), its jobs, the buyer and class, the amount and currency,
 * the seller and why.
 */
export function saleAuditFields(s: Sale, decision: SaleDecision, at: number): AuditFields {
  const terms =
    `sale ${s.saleId} of product "${s.productName}" ${productTerms(s.productId, s.jobs)}` +
    `to buyer "${s.buyer}" (${s.buyerClass ? `class ${s.buyerClass}` : 'no class given'}) for ` +
    `${money(s.amount, s.currency)}, sold by ${s.seller || '(seller not given)'}`;
  return blankAuditFields('sale', at, {
    jobId: s.saleId,
    round: 1,
    stage: 'sale',
    purpose: 'sale',
    analyst: /^[0-9a-f]{64}$/.test(s.seller) ? s.seller : '',
    reason: `${decision.allowed ? 'accepted' : 'refused'}: ${terms}; ${decision.reason}`,
  });
}

/**
 * The audit entry of a kept receipt of a sale's entry (version 3, `sale` set): kind `receipt`, the sale id as its
 * job, purpose the entry's kind (`payout` or `refund`), and a reason naming the amount, the sale, the product, its
 * jobs and the ledger seq. Undefined for a job's own payout (no sale), which the receipts table alone records.
 */
export function receiptAuditFields(e: LedgerEntry, at: number): AuditFields | undefined {
  if (!e.sale) return undefined;
  const kind = e.kind ?? 'payout';
  return blankAuditFields('receipt', at, {
    jobId: e.sale,
    purpose: kind,
    reason: receiptTerms(e),
  });
}
