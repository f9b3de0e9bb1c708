/**
 * The merchant's payout receipts: the ledger entries the coordinator paid this node with, each checked against the
 * coordinator's key when it arrived, with the signed ledger head it came with and whether the node countersigned it.
 */
import { page, table } from '../http/page.js';
import { esc, fmt } from '../report/svg.js';
import { MERCHANT_NAV, type ParticipantConsoleContext } from './participant-context.js';

interface ReceiptEntry {
  job?: string;
  seq?: number;
  amount?: number;
  currency?: string;
  method?: string;
  share?: number;
  timestamp?: string;
}

export function registerReceiptsPage({ node, console: c }: ParticipantConsoleContext): void {
  c.app.get('/receipts', async (request, reply) => {
    const session = c.require(request, 'merchant');
    const stored = node.ledger.storedReceipts();
    const rows = stored.map((s) => {
      const e = parse(s.entryJson);
      const head = s.headJson ? (parse(s.headJson) as { seq?: number }) : undefined;
      const seq = String(e.seq ?? '');
      return [
        `<span data-testid="receipt-${esc(seq)}">${esc(seq)}</span>`,
        esc(e.timestamp ?? ''),
        `<code>${esc(e.job ?? '')}</code>`,
        `<span data-testid="receipt-${esc(seq)}-amount">${esc(
          e.amount === undefined ? '' : `${fmt(e.amount)} ${e.currency ?? ''}`,
        )}</span>`,
        esc(e.method ?? ''),
        e.share === undefined ? '' : esc(fmt(e.share)),
        head?.seq !== undefined ? esc(String(head.seq)) : '<span class="meta">none sent</span>',
        s.cosignatureJson ? '<span class="ok">yes</span>' : '<span class="meta">no</span>',
        `<code>${esc(s.coordinatorKey.slice(0, 16))}…</code>`,
      ];
    });
    const body =
      `<p class="meta">Each receipt was checked when it arrived: its hash and the coordinator's signature verify ` +
      "under the coordinator key this node trusts (the config's coordinatorKey, or the key of its first receipt). " +
      'To check a published ledger against them: tessera participant receipts --out DIR, then ' +
      'tessera ledger verify LEDGER.jsonl --receipts DIR.</p>' +
      table(
        ['Seq', 'When', 'Job', 'Amount', 'Method', 'Share', 'Ledger head', 'Countersigned', 'Coordinator key'],
        rows,
        'no payout receipts yet',
      );
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Payout receipts', nav: MERCHANT_NAV, session, body }));
  });
}

function parse(json: string): ReceiptEntry {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as ReceiptEntry) : {};
  } catch {
    return {};
  }
}
