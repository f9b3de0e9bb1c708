/** A member's payout receipt as a file: its ledger entry, the signed head after it, and the member's cosignature. */
import { fromHex } from '@tessera/crypto';
import { verifyEntry, type LedgerEntry } from './ledger-entry.js';
import { cosignatureProblem, verifyHead, type LedgerCosignature, type SignedLedgerHead } from './ledger-head.js';
import { parseLedgerLine } from './ledger-verify.js';

/** The `format` of a receipt file. */
export const RECEIPT_FORMAT = 'tessera-payout-receipt/1';

/** One receipt: what the coordinator sent (entry, key, head) and what the member signed back (cosignature). */
export interface PayoutReceiptFile {
  format: typeof RECEIPT_FORMAT;
  /** The coordinator's ledger key (hex) the receipt was accepted under: receipts pin it. */
  coordinatorKey: string;
  entry: LedgerEntry;
  /** The ledger head after the entry's job was appended; absent from receipts of coordinators without heads. */
  head?: SignedLedgerHead;
  cosignature?: LedgerCosignature;
}

/** The file name a receipt is exported under: receipt-<seq, 8 digits>.json. */
export function receiptFileName(r: Pick<PayoutReceiptFile, 'entry'>): string {
  return `receipt-${String(r.entry.seq).padStart(8, '0')}.json`;
}

/** Parses a receipt file's text (types only: receiptProblem checks the signatures). Throws naming the file. */
export function parseReceiptFile(text: string, file: string): PayoutReceiptFile {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new RangeError(`${file}: not JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new RangeError(`${file}: not a JSON object`);
  if (o.format !== RECEIPT_FORMAT)
    throw new RangeError(`${file}: format must be "${RECEIPT_FORMAT}" (got ${JSON.stringify(o.format)})`);
  if (typeof o.coordinatorKey !== 'string' || !/^[0-9a-f]{64}$/.test(o.coordinatorKey))
    throw new RangeError(`${file}: coordinatorKey must be 64 lower-case hex characters`);
  let entry: LedgerEntry;
  try {
    entry = parseLedgerLine(JSON.stringify(o.entry ?? null), 1);
  } catch (e) {
    throw new RangeError(`${file}: entry: ${(e as Error).message.replace(/^line 1:? ?/, '')}`);
  }
  const head = o.head as SignedLedgerHead | undefined;
  if (
    head !== undefined &&
    (typeof head !== 'object' ||
      head === null ||
      typeof head.seq !== 'number' ||
      typeof head.hash !== 'string' ||
      typeof head.signature !== 'string')
  )
    throw new RangeError(`${file}: head must be {seq, hash, signature}`);
  const out: PayoutReceiptFile = { format: RECEIPT_FORMAT, coordinatorKey: o.coordinatorKey, entry };
  if (head) out.head = { seq: head.seq, hash: head.hash, signature: head.signature };
  if (o.cosignature !== undefined) out.cosignature = o.cosignature as LedgerCosignature;
  return out;
}

/**
 * The reason a receipt does not hold on its own, or undefined: the entry's hash and signature under the receipt's
 * coordinator key, the head's signature, the head at or after the entry (the entry itself when at its seq), and the
 * cosignature (when present) over that head, by the entry's participant.
 */
export function receiptProblem(r: PayoutReceiptFile): string | undefined {
  const key = fromHex(r.coordinatorKey);
  if (!verifyEntry(r.entry, key))
    return (
      `its entry (seq ${r.entry.seq}) does not verify under its coordinator key ` +
      `${r.coordinatorKey.slice(0, 16)}...`
    );
  const h = r.head;
  if (!h) return undefined;
  if (!verifyHead(h, key)) return `its head (seq ${h.seq}) is not signed by coordinator key ${r.coordinatorKey}`;
  if (h.seq < r.entry.seq) return `its head seq ${h.seq} is before its entry's seq ${r.entry.seq}`;
  if (h.seq === r.entry.seq && h.hash !== r.entry.hash)
    return `its head at seq ${h.seq} has hash ${h.hash}, not its entry's ${r.entry.hash}`;
  const c = r.cosignature;
  if (!c) return undefined;
  const problem = cosignatureProblem(c);
  if (problem) return `its cosignature: ${problem}`;
  if (c.seq !== h.seq || c.hash !== h.hash || c.coordinatorKey !== r.coordinatorKey)
    return 'its cosignature is over another head or ledger than the receipt carries';
  if (c.participant !== r.entry.participant)
    return `its cosignature is by ${c.participant}, not the entry's participant ${r.entry.participant}`;
  return undefined;
}
