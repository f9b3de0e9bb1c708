import { CURRENCY_COLUMNS, currencyCells } from '../../sales/reconcile-report.js';
import { renderTable } from '../../ui/table.js';
import type { SalesDemoResult } from './run-sales-demo.js';

/** The sales demo for a person: the product, each sale's split and refusals, the refund, statements, reconciliation. */
export function printSalesDemo(r: SalesDemoResult): void {
  const name = (id: string) => r.names[id] ?? id;
  /** In the merchants' order (merchant-1, merchant-2, ...), not the coordinator's. */
  const ordered = <T extends { participant: string }>(xs: readonly T[]) =>
    [...xs].sort((a, b) => name(a.participant).localeCompare(name(b.participant), 'en', { numeric: true }));
  const p = r.product;
  const out: string[] = [
    `product ${p.id} "${p.name}": ${r.reports.length} reports under distributed DP (epsilon ` +
      `${r.reports.map((x) => x.epsilon ?? 'none').join(', ')}), each member valued by its noisy row counts ` +
      '(value: the mean of its shares of the reports)',
    ...(p.releases?.some((x) => x.reportNoiseFactor !== undefined)
      ? [
          "valuation cost no extra epsilon: the counts shared each report's release, raising its noise " +
            `x${p.releases.map((x) => x.reportNoiseFactor?.toFixed(3) ?? '1').join(', x')} ` +
            '(tessera products show PRODUCT says more)',
        ]
      : []),
    renderTable(
      ['member', 'value', 'share'],
      ordered(p.members).map((m) => [name(m.participant), m.value, `${(m.share * 100).toFixed(2)}%`]),
    ),
    '',
  ];
  for (const s of r.sales) {
    out.push(
      `sale ${s.id} to ${s.buyer} (${s.buyerClass}): ${s.amount} ${s.currency}`,
      renderTable(
        ['member', 'share', 'amount'],
        ordered(s.entries).map((e) => [name(e.participant), `${(e.share * 100).toFixed(2)}%`, e.amount]),
      ),
      ...s.refusals.map((x) => `  refused: ${name(x.participant)} (${x.kind}): ${x.reason}`),
    );
    for (const f of s.refunds)
      out.push(
        `  refund ${f.id}: ${f.amount} ${s.currency} (${f.reason}): ` +
          ordered(f.entries)
            .map((e) => `${name(e.participant)} ${e.amount}`)
            .join(', '),
      );
    out.push('');
  }
  out.push(
    'statements (from the exported ledger, each checked against the receipts its node kept):',
    renderTable(
      ['member', 'entries', 'paid', 'refunded', 'net', 'receipts'],
      r.statements.flatMap((b) =>
        (b.totals.length ? b.totals : [{ currency: '', paid: 0, refunded: 0, net: 0, entries: 0 }]).map((t) => [
          b.name,
          t.entries,
          t.paid,
          t.refunded,
          `${t.net} ${t.currency}`.trim(),
          b.receipts ? (b.receipts.ok ? `${b.receipts.matched} match` : 'MISMATCH') : 'none',
        ]),
      ),
    ),
    ...(r.statements.some((b) => b.page)
      ? [
          `statement pages (amounts over time): ${r.statements
            .filter((b) => b.page)
            .map((b) => b.page)
            .join(', ')}`,
        ]
      : []),
    '',
    'reconciliation (exact, per currency):',
    renderTable(CURRENCY_COLUMNS, r.reconcile.currencies.map(currencyCells)),
    `ledger: ${r.ledger.entries} entries verified, head ${r.ledger.head}; ` +
      `coordinator key ${r.ledger.coordinatorPublicKey}` +
      (r.ledger.file
        ? `\nwritten to ${r.ledger.file}: tessera payouts reconcile --ledger ${r.ledger.file} --key ` +
          `${r.ledger.coordinatorPublicKey}`
        : ''),
    `the demo took ${r.timing.totalSeconds.toFixed(1)} s`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
