import { writeFileSync } from 'node:fs';
import type { StatementPageInput } from '@tessera/console/report';
import type { MemberStatement, PayoutReceiptFile, StatementReceiptsCheck } from '@tessera/payouts';
import { UsageError } from '../ui/errors.js';
import type { VerifiedLedger } from './verified-ledger.js';

/** A member's statement from a verified ledger, checked against its receipts when given: what statement prints. */
export type MemberBooks = MemberStatement & {
  name: string;
  /** The receipts check (null when no receipts were given): ok, how many matched, and the problems. */
  receipts: (StatementReceiptsCheck & { dir: string }) | null;
  ledger: { entries: number; head: string; seq: number; coordinatorPublicKey: string; source: string };
  /** The HTML page written (null without --out). */
  page: string | null;
};

export interface MemberBooksOptions {
  ledger: VerifiedLedger;
  /** The member's participant id. */
  member: string;
  name?: string;
  from?: string;
  to?: string;
  receipts?: { files: readonly PayoutReceiptFile[]; dir: string };
  /** Write the statement page (HTML) here. */
  out?: string;
}

/**
 * The member's statement (memberStatement of @tessera/payouts) over a ledger already verified, its receipts checked
 * against it (checkStatementReceipts), and its page written to `out`. A bad --from or --to is a usage error.
 */
export async function memberBooks(o: MemberBooksOptions): Promise<MemberBooks> {
  const { checkStatementReceipts, memberStatement, PayoutInputError } = await import('@tessera/payouts');
  let statement: MemberStatement;
  try {
    statement = memberStatement(o.ledger.entries, o.member, { from: o.from ?? null, to: o.to ?? null });
  } catch (e) {
    if (e instanceof PayoutInputError) throw new UsageError(e.message);
    throw e;
  }
  const receipts = o.receipts
    ? { ...checkStatementReceipts(statement, o.ledger.entries, o.receipts.files), dir: o.receipts.dir }
    : null;
  const books: MemberBooks = {
    ...statement,
    name: o.name ?? o.member,
    receipts,
    ledger: {
      entries: o.ledger.entries.length,
      head: o.ledger.head.hash,
      seq: o.ledger.head.seq,
      coordinatorPublicKey: o.ledger.key,
      source: o.ledger.source,
    },
    page: o.out ?? null,
  };
  if (o.out) {
    const { renderStatementReport } = await import('@tessera/console/report');
    writeFileSync(o.out, renderStatementReport(statementPageOf(books)));
  }
  return books;
}

/** The page's input from a member's books. */
export function statementPageOf(b: MemberBooks): StatementPageInput {
  const page: StatementPageInput = {
    member: b.member,
    name: b.name,
    period: { from: b.from, to: b.to },
    entries: b.entries.map((e) => ({
      seq: e.seq,
      timestamp: e.timestamp,
      kind: e.kind,
      job: e.job,
      product: e.product,
      sale: e.sale,
      amount: e.amount,
      currency: e.currency,
      share: e.share,
      method: e.method,
    })),
    sales: b.sales.map((s) => ({
      id: s.sale,
      product: s.product,
      buyer: s.buyer,
      amount: s.price,
      currency: s.currency,
      timestamp: s.timestamp,
      refunded: -s.buyerRefunded,
      memberAmount: s.memberAmount,
    })),
    totals: b.totals,
    ledger: { entries: b.ledger.entries, head: b.ledger.head, coordinatorKey: b.ledger.coordinatorPublicKey },
    generatedAt: new Date().toISOString(),
  };
  if (b.receipts)
    page.receipts = {
      ok: b.receipts.ok,
      checked: b.receipts.receipts,
      summary: b.receipts.ok
        ? `${b.receipts.matched} receipt(s) match the statement and the ledger` +
          (b.receipts.outside ? `, ${b.receipts.outside} outside the period` : '')
        : b.receipts.problems.join('; '),
    };
  return page;
}
