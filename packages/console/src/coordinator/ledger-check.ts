/**
 * Whether the coordinator's payout ledger stands: every entry's hash, the chain from genesis to the stored head, the
 * sequence numbers and the coordinator's Ed25519 signatures, checked with the same verifyLedger as
 * `tessera ledger verify`. The operator's ledger page and the analyst's payout page both show it.
 */
import type { Coordinator } from '@tessera/coordinator';
import { verifyLedger } from '@tessera/payouts';

export type LedgerCheck = { ok: true; entries: number; head: string } | { ok: false; reason: string };

export async function checkLedger(coordinator: Coordinator): Promise<LedgerCheck & { rows: LedgerRows }> {
  const store = coordinator.store;
  const [rows, head] = await Promise.all([store.ledgerRows(), store.ledgerHead()]);
  const verdict = verifyLedger(
    rows.map((r) => r.line).join('\n'),
    coordinator.ledger.publicKey,
    head.seq ? { head: head.hash } : {},
  );
  if (!verdict.ok)
    return {
      ok: false,
      reason: `ledger line ${verdict.line}${verdict.seq ? ` (seq ${verdict.seq})` : ''}: ${verdict.reason}`,
      rows,
    };
  return { ok: true, entries: rows.length, head: head.hash, rows };
}

export type LedgerRows = Awaited<ReturnType<Coordinator['store']['ledgerRows']>>;
