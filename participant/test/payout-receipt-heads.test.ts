// Receipts with a signed ledger head: checked, kept with the node's cosignature, and exported as files.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import {
  appendEntries,
  cosignatureLine,
  cosignHead,
  GENESIS_HASH,
  ledgerLine,
  parseReceiptFile,
  receiptProblem,
  signHead,
} from '@tessera/payouts';
import { tempDir } from '@tessera/test-support';
import { acceptReceipt } from '../src/payout-receipt.js';
import { exportReceipts } from '../src/payout-receipts-export.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';

describe('payout receipts carrying the ledger head', () => {
  const coordinator = generateSigningKeyPair();
  const node = generateSigningKeyPair();
  const record = (participant: string, amount: number) => ({
    job: 'job-1',
    participant,
    amount,
    currency: 'CNY',
    method: 'shapley',
    share: 0.5,
    timestamp: '2026-11-22T08:00:00.000Z',
  });
  const [mine, theirs] = appendEntries(
    { seq: 0, hash: GENESIS_HASH },
    [record('p-1', 500), record('p-2', 500)],
    coordinator.secretKey,
  );
  const head = signHead({ seq: 2, hash: theirs!.hash }, coordinator.secretKey);
  const receipt = { entryJson: ledgerLine(mine!), coordinatorKey: coordinator.publicKey, head };

  it('accepts a head signed by the coordinator at or after the entry, and refuses any other', () => {
    expect(acceptReceipt(receipt, 'p-1', undefined).head).toEqual(head);
    const forged = signHead({ seq: 2, hash: theirs!.hash }, node.secretKey);
    expect(() => acceptReceipt({ ...receipt, head: forged }, 'p-1', undefined)).toThrow(
      /ledger head \(seq 2\) is not signed by the coordinator key/,
    );
    const early = signHead({ seq: 1, hash: theirs!.hash }, coordinator.secretKey);
    expect(() => acceptReceipt({ ...receipt, head: early }, 'p-1', undefined)).toThrow(/does not follow its entry/);
  });

  it('keeps the head and the cosignature durably and writes them as receipt files that verify', () => {
    const { dir, cleanup } = tempDir('tessera-receipts-');
    try {
      const path = join(dir, 'node-ledger.sqlite');
      const cosignature = cosignHead(head, toHex(coordinator.publicKey), 'p-1', node);
      const ledger = new PrivacyLedger(path);
      // One receipt of an older coordinator (no head), one with a head and this node's cosignature.
      ledger.storeReceipt(ledgerLine(mine!), toHex(coordinator.publicKey));
      ledger.storeReceipt(receipt.entryJson, toHex(coordinator.publicKey), {
        headJson: JSON.stringify(head),
        cosignatureJson: cosignatureLine(cosignature),
      });
      ledger.close();
      const out = join(dir, 'out');
      const config = {
        name: 'n',
        coordinator: 'x',
        participantId: 'p-1',
        identityKey: 'k',
        datasets: {},
        ledger: path,
      };
      const written = exportReceipts(config, out);
      expect(written.receipts.map((r) => ({ seq: r.seq, headSeq: r.headSeq, cosigned: r.cosigned }))).toEqual([
        { seq: 1, headSeq: 0, cosigned: false },
        { seq: 1, headSeq: 2, cosigned: true },
      ]);
      expect(readdirSync(out)).toEqual(['receipt-00000001.json']);
      const file = parseReceiptFile(readFileSync(join(out, 'receipt-00000001.json'), 'utf8'), 'receipt-00000001.json');
      expect(file).toMatchObject({ head, cosignature, coordinatorKey: toHex(coordinator.publicKey) });
      expect(receiptProblem(file)).toBeUndefined();
      expect(() => exportReceipts({ ...config, ledger: join(dir, 'none.sqlite') }, out)).toThrow(
        /no receipts to export: the node's ledger .*none\.sqlite does not exist yet/,
      );
    } finally {
      cleanup();
    }
  });
});
