import {
  parseLedgerLine,
  RECEIPT_FORMAT,
  verifyEntry,
  verifyHead,
  type LedgerEntry,
  type PayoutReceiptFile,
  type SignedLedgerHead,
} from '@tessera/payouts';
import type { tessera } from '@tessera/proto';

/**
 * Checks a payout receipt before a node keeps it: one ledger line for this participant, whose hash
 * and signature verify under the coordinator key the node trusts (its config's `coordinatorKey`, or
 * the key of the first receipt it ever kept: trust on first use), and, when the coordinator sent one,
 * the ledger head after it, signed by the same key, at or after the entry. A version 3 entry may be a payout or a
 * refund (negative) of a sale; one of kind `sale` or `buyer-refund` (the buyer's side) is refused. Throws with the
 * reason.
 */
export function acceptReceipt(
  r: tessera.v1.IPayoutReceipt,
  participantId: string,
  trustedKeyHex: string | undefined,
): { entry: LedgerEntry; keyHex: string; head?: SignedLedgerHead } {
  const key = r.coordinatorKey ?? new Uint8Array(0);
  const keyHex = Buffer.from(key).toString('hex');
  if (trustedKeyHex !== undefined && keyHex !== trustedKeyHex.toLowerCase()) {
    throw new Error(
      `it is signed with coordinator key ${keyHex.slice(0, 16)}..., not the ` +
        `trusted ${trustedKeyHex.slice(0, 16)}... (config coordinatorKey, or the key of the first receipt kept)`,
    );
  }
  const entry = parseLedgerLine(r.entryJson ?? '', 1);
  // A sale's own event and a refund to its buyer are the buyer's money, not a member's: no member keeps them.
  if (entry.kind === 'sale' || entry.kind === 'buyer-refund')
    throw new Error(
      `it is a ledger entry of kind ${entry.kind} (sale ${entry.sale || '?'}: the buyer's side), ` +
        "not a payout or refund of this member's money",
    );
  if (entry.participant !== participantId) throw new Error(`it names participant ${entry.participant}, not this node`);
  if (!verifyEntry(entry, key)) throw new Error("its hash or the coordinator's signature does not verify");
  if (!r.head) return { entry, keyHex };
  const head = { seq: Number(r.head.seq ?? 0), hash: r.head.hash ?? '', signature: r.head.signature ?? '' };
  if (!verifyHead(head, key)) throw new Error(`its ledger head (seq ${head.seq}) is not signed by the coordinator key`);
  if (head.seq < entry.seq || (head.seq === entry.seq && head.hash !== entry.hash))
    throw new Error(`its ledger head (seq ${head.seq}) does not follow its entry (seq ${entry.seq})`);
  return { entry, keyHex, head };
}

/** A stored receipt as a file (see RECEIPT_FORMAT): the entry, the key, the head and this node's cosignature. */
export function receiptFile(stored: {
  entryJson: string;
  coordinatorKey: string;
  headJson?: string;
  cosignatureJson?: string;
}): PayoutReceiptFile {
  return {
    format: RECEIPT_FORMAT,
    coordinatorKey: stored.coordinatorKey,
    entry: parseLedgerLine(stored.entryJson, 1),
    ...(stored.headJson ? { head: JSON.parse(stored.headJson) as SignedLedgerHead } : {}),
    ...(stored.cosignatureJson ? { cosignature: JSON.parse(stored.cosignatureJson) } : {}),
  };
}
