// Members' countersignatures over payout ledger heads: checked against the ledger and the member's key, then kept.
import { fromHex, toHex } from '@tessera/crypto';
import { cosignatureLine, cosignatureProblem, parseLedgerLine, verifyEntry } from '@tessera/payouts';
import type { tessera } from '@tessera/proto';
import type { Store } from '../store/store.js';

/**
 * Keeps participant `participantId`'s cosignature over a ledger head, or says why not: the head must be in this
 * ledger (the entry at its seq has its hash, signed by the named coordinator key) and the signature must verify
 * under the participant's enrolled identity key.
 */
export async function acceptLedgerCosignature(
  store: Store,
  participantId: string,
  identityKey: Uint8Array,
  m: tessera.v1.ILedgerCosignature,
): Promise<string | undefined> {
  const seq = Number(m.seq ?? 0);
  const row = await store.ledgerRowAt(seq);
  if (!row) return `ledger cosignature: the ledger has no entry at seq ${seq}`;
  if (row.hash !== m.hash)
    return `ledger cosignature: head hash ${String(m.hash).slice(0, 16)}... is not the ledger's hash at seq ${seq}`;
  const coordinatorKey = m.coordinatorKey ?? '';
  if (!/^[0-9a-f]{64}$/.test(coordinatorKey) || !verifyEntry(parseLedgerLine(row.line, seq), fromHex(coordinatorKey)))
    return `ledger cosignature: coordinator key ${coordinatorKey.slice(0, 16)}... is not this ledger's key`;
  const cosignature = {
    participant: participantId,
    publicKey: toHex(identityKey),
    coordinatorKey,
    seq,
    hash: row.hash,
    signature: m.signature ?? '',
  };
  const problem = cosignatureProblem(cosignature);
  if (problem) return `ledger cosignature: ${problem}`;
  await store.addLedgerCosignature(seq, participantId, cosignatureLine(cosignature));
  return undefined;
}
