import { renderTable } from '../ui/table.js';
import type { MemberBooks } from './member-books.js';

/** A member's statement for a person: entries, the sales they came from, totals, and the receipts check. */
export function renderStatement(b: MemberBooks): string {
  const who = b.name !== b.member ? `${b.name} (${b.member})` : b.member;
  const period = b.from || b.to ? ` from ${b.from ?? 'the first entry'} to ${b.to ?? 'the last entry'}` : '';
  const out = [
    `statement of ${who}${period}: ${b.entries.length} entries of a verified ledger of ${b.ledger.entries} ` +
      `(head ${b.ledger.head})`,
  ];
  if (b.entries.length)
    out.push(
      renderTable(
        ['seq', 'time', 'kind', 'product / job', 'sale', 'buyer', 'share', 'amount'],
        b.entries.map((e) => [
          e.seq,
          e.timestamp,
          e.kind,
          e.product || e.job,
          e.sale || '(job payout)',
          e.buyer,
          e.kind === 'refund' ? '' : `${(e.share * 100).toFixed(2)}%`,
          `${e.amount} ${e.currency}`,
        ]),
      ),
    );
  if (b.sales.length)
    out.push(
      'sales these entries came from:',
      renderTable(
        ['sale', 'product', 'buyer', 'price', 'refunded to buyer', 'this member'],
        b.sales.map((s) => [s.sale, s.product, s.buyer, `${s.price} ${s.currency}`, -s.buyerRefunded, s.memberAmount]),
      ),
    );
  out.push(
    'totals (minor units):',
    b.totals.length
      ? renderTable(
          ['currency', 'paid', 'refunded', 'net', 'entries'],
          b.totals.map((t) => [t.currency, t.paid, t.refunded, t.net, t.entries]),
        )
      : '  none in this period',
  );
  for (const p of b.problems) out.push(`problem: ${p}`);
  if (b.receipts)
    out.push(
      b.receipts.ok
        ? `receipts: ${b.receipts.matched} of ${b.receipts.receipts} in ${b.receipts.dir} match the statement and ` +
            `the ledger${b.receipts.outside ? ` (${b.receipts.outside} outside the period)` : ''}`
        : `receipts DO NOT MATCH (${b.receipts.problems.length} problem(s)):\n` +
            b.receipts.problems.map((p) => `  ${p}`).join('\n'),
    );
  return `${out.join('\n')}\n`;
}
