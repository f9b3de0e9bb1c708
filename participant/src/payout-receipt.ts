import { parseLedgerLine, verifyEntry, type LedgerEntry } from '@tessera/payouts';
import type { tessera } from '@tessera/proto';

/**
 * Checks a payout receipt before a node keeps it: one ledger line for this participant, whose hash
 * and signature verify under the coordinator key the node trusts (its config's `coordinatorKey`, or
 * the key of the first receipt it ever kept: trust on first use). Throws with the reason.
 */
export function acceptReceipt(
  r: tessera.v1.IPayoutReceipt,
  participantId: string,
  trustedKeyHex: string | undefined,
): { entry: LedgerEntry; keyHex: string } {
  const key = r.coordinatorKey ?? new Uint8Array(0);
  const keyHex = Buffer.from(key).toString('hex');
  if (trustedKeyHex !== undefined && keyHex !== trustedKeyHex.toLowerCase()) {
    throw new Error(
      `it is signed with coordinator key ${keyHex.slice(0, 16)}..., not the ` +
        `trusted ${trustedKeyHex.slice(0, 16)}... (config coordinatorKey, or the key of the first receipt kept)`,
    );
  }
  const entry = parseLedgerLine(r.entryJson ?? '', 1);
  if (entry.participant !== participantId) throw new Error(`it names participant ${entry.participant}, not this node`);
  if (!verifyEntry(entry, key)) throw new Error("its hash or the coordinator's signature does not verify");
  return { entry, keyHex };
}
