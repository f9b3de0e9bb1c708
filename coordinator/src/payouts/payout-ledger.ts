import { join } from 'node:path';
import { loadOrCreateSigningKeyPair, type SigningKeyPair } from '@tessera/crypto';
import {
  appendEntries,
  GENESIS_HASH,
  ledgerLine,
  signHead,
  type LedgerEntry,
  type PayoutRecord,
  type SignedLedgerHead,
} from '@tessera/payouts';
import type { tessera } from '@tessera/proto';
import type { SaleRecord, Store } from '../store/store.js';

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

  /**
   * Chains, signs and stores the records after the current head, atomically; with `sale`, the sale or refund row it
   * returns for the entries is stored in the same transaction (sales/).
   */
  async append(
    records: readonly PayoutRecord[],
    sale?: (entries: LedgerEntry[]) => SaleRecord,
  ): Promise<LedgerEntry[]> {
    let entries: LedgerEntry[] = [];
    const row = sale && (() => sale(entries));
    await this.store.appendLedger((head) => {
      entries = appendEntries({ seq: head.seq, hash: head.hash || GENESIS_HASH }, records, this.key.secretKey);
      return entries.map((e) => ({
        seq: e.seq,
        // A sale's entries are filed under their product, so a job's slice holds its own payouts only.
        jobId: e.product || e.job,
        participant: e.participant,
        hash: e.hash,
        line: ledgerLine(e),
      }));
    }, row);
    return entries;
  }

  /** The ledger's current head, signed with the ledger key (undefined while the ledger is empty). */
  async signedHead(): Promise<SignedLedgerHead | undefined> {
    const head = await this.store.ledgerHead();
    return head.seq === 0 ? undefined : signHead(head, this.key.secretKey);
  }

  /**
   * The receipts of a batch `append` returned: each entry with the head after the whole batch (the newest of
   * `entries`), signed, so that a member holds the ledger's length and hash as of its payout.
   */
  receipts(entries: readonly LedgerEntry[]): { participant: string; receipt: tessera.v1.IPayoutReceipt }[] {
    const last = entries.at(-1);
    if (!last) return [];
    const head = signHead({ seq: last.seq, hash: last.hash }, this.key.secretKey);
    return entries.map((e) => ({
      participant: e.participant,
      receipt: { entryJson: ledgerLine(e), coordinatorKey: this.key.publicKey, head },
    }));
  }

  /**
   * The ledger as JSON Lines (one job's entries only when `jobId` is given), its head (the newest entry's hash and
   * seq, signed) and the members' cosignatures over heads (JSON, one each).
   */
  async export(jobId?: string): Promise<{
    lines: string[];
    head: string;
    headSeq: number;
    headSignature: string;
    cosignatures: string[];
  }> {
    const signed = await this.signedHead();
    const rows = await this.store.ledgerRows(jobId);
    // A job's slice carries the cosignatures over heads inside it only.
    const [from, to] = jobId === undefined ? [1, Infinity] : [rows[0]?.seq ?? 1, rows.at(-1)?.seq ?? 0];
    const inSlice = (json: string) => {
      const seq = (JSON.parse(json) as { seq: number }).seq;
      return seq >= from && seq <= to;
    };
    return {
      lines: rows.map((r) => r.line),
      head: signed?.hash ?? GENESIS_HASH,
      headSeq: signed?.seq ?? 0,
      headSignature: signed?.signature ?? '',
      cosignatures: (await this.store.ledgerCosignatures()).filter(inSlice),
    };
  }
}
