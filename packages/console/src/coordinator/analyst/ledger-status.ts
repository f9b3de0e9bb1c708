/**
 * Whether a job's payouts stand in the coordinator's ledger: the whole ledger verifies (each entry's hash, the chain
 * from genesis to the stored head, the sequence numbers and the coordinator's Ed25519 signatures, with the same
 * verifyLedger as `tessera ledger verify`), and the job's entries say what its payout says (participant, amount, seq).
 */
import type { Coordinator } from '@tessera/coordinator';
import { parseLedgerLine } from '@tessera/payouts';
import { checkLedger } from '../ledger-check.js';
import type { PayoutsView } from '@tessera/sdk';

export type LedgerStatus = { ok: true; entries: number; head: string } | { ok: false; reason: string };

export async function ledgerStatusOf(
  coordinator: Coordinator,
  jobId: string,
  payouts: PayoutsView,
): Promise<LedgerStatus> {
  if (payouts.coordinatorPublicKey && payouts.coordinatorPublicKey !== coordinator.ledger.publicKeyHex)
    return {
      ok: false,
      reason:
        `the payout names ledger key ${payouts.coordinatorPublicKey}, but this coordinator signs with ` +
        coordinator.ledger.publicKeyHex,
    };
  const whole = await checkLedger(coordinator);
  if (!whole.ok) return { ok: false, reason: whole.reason };
  const { rows, head } = whole;
  const mine = rows.filter((r) => r.jobId === jobId).map((r) => parseLedgerLine(r.line, r.seq));
  for (const e of payouts.entries) {
    const entry = mine.find((m) => (e.seq === undefined ? m.participant === e.participant : m.seq === e.seq));
    if (!entry)
      return {
        ok: false,
        reason: `no ledger entry of job ${jobId} pays ${e.participant}${e.seq ? ` at seq ${e.seq}` : ''}`,
      };
    if (entry.participant !== e.participant || entry.amount !== e.amount)
      return {
        ok: false,
        reason:
          `ledger entry seq ${entry.seq} pays ${entry.amount} to ${entry.participant}, ` +
          `the payout says ${e.amount} to ${e.participant}`,
      };
  }
  if (mine.length !== payouts.entries.length)
    return {
      ok: false,
      reason: `the ledger holds ${mine.length} entries of job ${jobId}, its payout lists ${payouts.entries.length}`,
    };
  return { ok: true, entries: mine.length, head };
}
