import { join } from 'node:path';
import { loadOrCreateSigningKeyPair, type SigningKeyPair } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, ledgerLine, type LedgerEntry, type PayoutRecord } from '@tessera/payouts';
import type { Store } from '../store/store.js';

/** The coordinator's ledger signing key, in its data directory (mode 0600). */
export const LEDGER_KEY_FILE = 'ledger-key';

/** The coordinator's payout ledger: entries chained by SHA-256, signed with its Ed25519 key, stored in its database. */
export class PayoutLedger {
  private readonly key: SigningKeyPair;

  constructor(
    private readonly store: Store,
    dataDir: string,
  ) {
    this.key = loadOrCreateSigningKeyPair(join(dataDir, LEDGER_KEY_FILE));
  }

  /** Hex Ed25519 public key that verifies every entry (`tessera ledger verify --key`). */
  get publicKeyHex(): string {
    return Buffer.from(this.key.publicKey).toString('hex');
  }

  get publicKey(): Uint8Array {
    return this.key.publicKey;
  }

  /** Chains, signs and stores the records after the current head, atomically. */
  append(records: readonly PayoutRecord[]): LedgerEntry[] {
    let entries: LedgerEntry[] = [];
    this.store.appendLedger((head) => {
      entries = appendEntries({ seq: head.seq, hash: head.hash || GENESIS_HASH }, records, this.key.secretKey);
      return entries.map((e) => ({
        seq: e.seq,
        jobId: e.job,
        participant: e.participant,
        hash: e.hash,
        line: ledgerLine(e),
      }));
    });
    return entries;
  }

  /** The ledger as JSON Lines (one job's entries only when `jobId` is given) and the hash of the newest entry. */
  export(jobId?: string): { lines: string[]; head: string } {
    const head = this.store.ledgerHead();
    return { lines: this.store.ledgerRows(jobId).map((r) => r.line), head: head.hash || GENESIS_HASH };
  }
}
