import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { appendEntries, GENESIS_HASH, ledgerLine } from '@tessera/payouts';
import { acceptReceipt } from '../src/payout-receipt.js';
import { parseParticipantConfig } from '../src/config.js';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('payout receipts a node keeps', () => {
  const coordinator = generateSigningKeyPair();
  const impostor = generateSigningKeyPair();
  const record = {
    job: 'job-1',
    participant: 'p-1',
    amount: 500,
    currency: 'CNY',
    method: 'shapley',
    share: 0.5,
    timestamp: '2026-11-22T08:00:00.000Z',
  };
  const [entry] = appendEntries({ seq: 0, hash: GENESIS_HASH }, [record], coordinator.secretKey);
  const receipt = { entryJson: ledgerLine(entry), coordinatorKey: coordinator.publicKey };

  it('accepts an entry for this node that verifies under the trusted key (or any key before the first)', () => {
    expect(acceptReceipt(receipt, 'p-1', undefined).keyHex).toBe(hex(coordinator.publicKey));
    expect(acceptReceipt(receipt, 'p-1', hex(coordinator.publicKey).toUpperCase()).entry.amount).toBe(500);
  });

  it("refuses another participant's entry, a tampered one, and one signed by a key other than the trusted one", () => {
    expect(() => acceptReceipt(receipt, 'p-2', undefined)).toThrow(/names participant p-1, not this node/);
    expect(() =>
      acceptReceipt(
        { ...receipt, entryJson: receipt.entryJson.replace('"amount":500', '"amount":900') },
        'p-1',
        undefined,
      ),
    ).toThrow(/does not verify/);
    const [forged] = appendEntries({ seq: 0, hash: GENESIS_HASH }, [record], impostor.secretKey);
    expect(() =>
      acceptReceipt(
        { entryJson: ledgerLine(forged), coordinatorKey: impostor.publicKey },
        'p-1',
        hex(coordinator.publicKey),
      ),
    ).toThrow(/not the trusted/);
    expect(() =>
      acceptReceipt({ entryJson: receipt.entryJson, coordinatorKey: impostor.publicKey }, 'p-1', undefined),
    ).toThrow(/does not verify/);
  });

  it('trusts the key of the first receipt kept (trust on first use), and validates a configured key', () => {
    const ledger = new PrivacyLedger(':memory:');
    try {
      expect(ledger.firstReceiptKey()).toBeUndefined();
      ledger.storeReceipt(receipt.entryJson, hex(coordinator.publicKey));
      ledger.storeReceipt(receipt.entryJson, hex(impostor.publicKey));
      expect(ledger.firstReceiptKey()).toBe(hex(coordinator.publicKey));
      expect(ledger.receipts()).toHaveLength(2);
    } finally {
      ledger.close();
    }
    const base = {
      name: 'n',
      coordinator: '127.0.0.1:1',
      participantId: 'p-1',
      identityKey: 'k',
      datasets: { d: { type: 'csv', path: 'd.csv' } },
    };
    expect(
      parseParticipantConfig({ ...base, coordinatorKey: hex(coordinator.publicKey).toUpperCase() }, 'node.yaml', '/tmp')
        .coordinatorKey,
    ).toBe(hex(coordinator.publicKey));
    expect(() => parseParticipantConfig({ ...base, coordinatorKey: 'abc' }, 'node.yaml', '/tmp')).toThrow(
      /node\.yaml: coordinatorKey: must be the coordinator's ledger key, 64 hex/,
    );
  });
});
