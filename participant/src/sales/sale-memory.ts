// The node's answers to sales, kept for its lifetime: the same sale asked again gets the same answer.
import type { Sale, SaleDecision } from './sale-rules.js';

/** The most sale answers kept; past it the oldest are forgotten (asked again, they are decided again). */
export const MAX_KEPT_SALES = 10_000;

/** What identifies a sale's terms: every field of it, in a fixed order. */
const termsOf = (s: Sale): string =>
  JSON.stringify([s.productId, s.productName, s.jobs, s.buyer, s.buyerClass, s.amount, s.currency, s.seller]);

/** One decision per sale id, with the terms it was given for. */
export class SaleMemory {
  private readonly kept = new Map<string, { terms: string; decision: SaleDecision }>();

  /**
   * The decision already given for this sale id: `{ decision, repeat: true }` for the same terms; a refusal with
   * `repeat: false` when the id was answered for other terms (a coordinator may not change a sale after asking);
   * undefined for a sale not asked about before.
   */
  answered(s: Sale): { decision: SaleDecision; repeat: boolean } | undefined {
    const k = this.kept.get(s.saleId);
    if (!k) return undefined;
    if (k.terms === termsOf(s)) return { decision: k.decision, repeat: true };
    const reason =
      `consent: sale ${s.saleId} refused: it was already answered for other terms (the buyer, product, jobs, ` +
      'amount, currency or seller differ); a sale id is asked about once';
    return { decision: { allowed: false, reason }, repeat: false };
  }

  keep(s: Sale, decision: SaleDecision): void {
    if (this.kept.size >= MAX_KEPT_SALES) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(s.saleId, { terms: termsOf(s), decision });
  }
}
