// Writes the payout receipts a node kept to a directory, one file each, for `tessera ledger verify --receipts`.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiptFileName } from '@tessera/payouts';
import type { ParticipantConfig } from './config.js';
import { receiptFile } from './payout-receipt.js';
import { PrivacyLedger } from './privacy/privacy-ledger.js';

/** One written receipt: its file, and what it covers. */
export interface ExportedReceipt {
  file: string;
  job: string;
  seq: number;
  amount: number;
  currency: string;
  /** The signed ledger head it carries (0: a receipt from a coordinator that sent none). */
  headSeq: number;
  cosigned: boolean;
}

/**
 * Writes every receipt in the node's ledger (config `ledger`) to `dir` (created if missing) as
 * receipt-<seq>.json (format RECEIPT_FORMAT of @tessera/payouts), overwriting files of the same name.
 */
export function exportReceipts(
  config: ParticipantConfig,
  dir: string,
): { ledger: string; receipts: ExportedReceipt[] } {
  const path = config.ledger ?? '';
  if (!path || path === ':memory:' || !existsSync(path))
    throw new Error(
      `no receipts to export: the node's ledger ${path || '(none)'} does not exist yet ` +
        '(set `ledger` in the participant config, or run the node until it is paid)',
    );
  const ledger = new PrivacyLedger(path);
  try {
    mkdirSync(dir, { recursive: true });
    const receipts = ledger.storedReceipts().map((stored) => {
      const r = receiptFile(stored);
      const file = join(dir, receiptFileName(r));
      writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
      return {
        file,
        job: r.entry.job,
        seq: r.entry.seq,
        amount: r.entry.amount,
        currency: r.entry.currency,
        headSeq: r.head?.seq ?? 0,
        cosigned: r.cosignature !== undefined,
      };
    });
    return { ledger: path, receipts };
  } finally {
    ledger.close();
  }
}
