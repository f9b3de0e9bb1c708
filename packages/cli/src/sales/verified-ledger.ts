import type { LedgerEntry, LedgerHead } from '@tessera/payouts';
import { UsageError } from '../ui/errors.js';

/** A ledger whose chain, hashes and signatures were checked under `key`, its entries in order. */
export interface VerifiedLedger {
  entries: LedgerEntry[];
  head: LedgerHead;
  /** The coordinator's public key (hex) the signatures verified under. */
  key: string;
  /** Where it came from, for messages: a file name, or "the coordinator's export". */
  source: string;
}

/**
 * Verifies an exported ledger (JSON Lines) under the coordinator's key, and against the published `head` when given;
 * a ledger that does not verify is refused naming the source, the line and why: nothing is read from it.
 */
export async function verifiedLedger(
  text: string,
  keyHex: string,
  source: string,
  head?: string,
): Promise<VerifiedLedger> {
  if (!/^[0-9a-fA-F]{64}$/.test(keyHex))
    throw new UsageError(
      `--key must be the coordinator's Ed25519 public key as 64 hex characters, got "${keyHex.slice(0, 20)}"`,
    );
  const [{ parseLedgerLine, verifyLedger }, { fromHex }] = await Promise.all([
    import('@tessera/payouts'),
    import('@tessera/crypto'),
  ]);
  const v = verifyLedger(text, fromHex(keyHex.toLowerCase()), head ? { head } : {});
  if (!v.ok)
    throw new UsageError(
      `the ledger (${source}) does not verify, so nothing is read from it: ${v.reason}` +
        // The reason names its line already when it is about one entry ("line 7 (seq 7): ...").
        (v.line && !v.reason.includes(`line ${v.line}`) ? ` (line ${v.line})` : ''),
    );
  const entries = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => parseLedgerLine(l, i + 1));
  return { entries, head: v.head, key: keyHex.toLowerCase(), source };
}
