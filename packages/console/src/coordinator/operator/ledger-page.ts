/**
 * /operator/ledger: what was paid. The payout ledger's entries (newest first), its head, and whether the whole chain
 * verifies against the coordinator's ledger key; how to check it offline.
 */
import { parseLedgerLine, type LedgerEntry } from '@tessera/payouts';
import { page, table } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { checkLedger } from '../ledger-check.js';

/** Entries shown, newest first (the export has them all). */
const SHOWN = 500;

export function registerLedgerPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator/ledger', async (request, reply) => {
    const session = c.require(request, 'operator');
    const check = await checkLedger(coordinator);
    const entries: LedgerEntry[] = [];
    for (const r of check.rows.slice(-SHOWN).reverse()) {
      try {
        entries.push(parseLedgerLine(r.line, r.seq));
      } catch {
        // A damaged line: the verdict above names it.
      }
    }
    const names = new Map((await coordinator.store.listParticipants()).map((p) => [p.id, p.name]));
    const verdict = check.ok
      ? `<p><span class="ok" data-testid="ledger-status">verified</span>: ${check.entries} signed entries in an ` +
        `intact chain up to head <code data-testid="ledger-head">${esc(check.head || '(empty)')}</code>.</p>`
      : `<p><span class="bad" data-testid="ledger-status">not verified</span>: ${esc(check.reason)}</p>`;
    const totals = new Map<string, number>();
    for (const e of entries) totals.set(e.currency, (totals.get(e.currency) ?? 0) + e.amount);
    const body = `${verdict}
<p class="meta">Ledger key ${esc(coordinator.ledger.publicKeyHex)}. Check it offline: tessera ledger export --out
ledger.jsonl, then tessera ledger verify ledger.jsonl --key ${esc(coordinator.ledger.publicKeyHex)} --head HEAD.</p>
${
  totals.size
    ? `<p data-testid="ledger-totals">Paid${check.rows.length > SHOWN ? ` in the newest ${SHOWN} entries` : ''}: ${[
        ...totals,
      ]
        .map(([cur, n]) => `${esc(n)} ${esc(cur)}`)
        .join(', ')} (minor units).</p>`
    : ''
}
${table(
  ['Seq', 'Job', 'Participant', 'Amount', 'Currency', 'Method', 'Share', 'When'],
  entries.map((e) => [
    String(e.seq),
    esc(e.job),
    esc(names.get(e.participant) ?? e.participant),
    esc(e.amount),
    esc(e.currency),
    esc(e.method),
    esc(`${Math.round(e.share * 1000) / 10}%`),
    esc(e.timestamp),
  ]),
  'nothing has been paid yet',
)}`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Payout ledger', nav: OPERATOR_NAV, session, body }));
  });
}
