/** A ledger of job payouts, sales and refunds for the reconcile and statement tests, built as the coordinator would. */
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import {
  appendEntries,
  GENESIS_HASH,
  RECEIPT_FORMAT,
  splitRefund,
  splitSale,
  type LedgerEntry,
  type PayoutReceiptFile,
  type PayoutRecord,
} from '../src/index.js';

export const coordinator = generateSigningKeyPair();

export class TestLedger {
  entries: LedgerEntry[] = [];

  append(records: PayoutRecord[]): LedgerEntry[] {
    const last = this.entries.at(-1);
    const added = appendEntries(
      { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH },
      records,
      coordinator.secretKey,
    );
    this.entries.push(...added);
    return added;
  }

  /** A sale: the sale entry, then the members' payouts (splitSale). */
  sell(
    sale: string,
    product: string,
    buyer: string,
    amount: number,
    currency: string,
    members: { participant: string; value: number }[],
    timestamp: string,
    refusing: ReadonlySet<string> = new Set(),
  ): LedgerEntry[] {
    const split = splitSale(amount, currency, members, refusing);
    const common = { job: 'job-q+job-t', currency, timestamp, product, sale };
    return this.append([
      { ...common, kind: 'sale', participant: buyer, amount, method: 'records', share: 1 },
      ...split.entries.map((e) => ({
        ...common,
        kind: 'payout' as const,
        participant: e.participant,
        amount: e.amount,
        method: 'records',
        share: e.share,
      })),
    ]);
  }

  /** A refund of `amount` from a sale: the buyer-refund, then each member's refund (splitRefund of what it holds). */
  refund(sale: string, amount: number, timestamp: string): LedgerEntry[] {
    const event = this.entries.find((e) => e.kind === 'sale' && e.sale === sale)!;
    const held = new Map<string, number>();
    for (const e of this.entries)
      if (e.sale === sale && (e.kind === 'payout' || e.kind === 'refund'))
        held.set(e.participant, (held.get(e.participant) ?? 0) + e.amount);
    const remaining = [...held].map(([participant, r]) => ({ participant, remaining: r }));
    const split = splitRefund(amount, event.currency, remaining);
    const common = { job: event.job, currency: event.currency, timestamp, product: event.product, sale };
    return this.append([
      { ...common, kind: 'buyer-refund', participant: event.participant, amount: -amount, method: 'refund', share: 1 },
      ...split.entries
        .filter((e) => e.amount > 0)
        .map((e) => ({
          ...common,
          kind: 'refund' as const,
          participant: e.participant,
          amount: -e.amount,
          method: 'refund',
          share: e.share,
        })),
    ]);
  }
}

/** A receipt file of `entry`, as a member keeps it. */
export function receiptOf(entry: LedgerEntry): PayoutReceiptFile {
  return { format: RECEIPT_FORMAT, coordinatorKey: toHex(coordinator.publicKey), entry };
}
