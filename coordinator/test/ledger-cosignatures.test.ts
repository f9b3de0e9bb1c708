// The coordinator keeps a member's cosignature only over a head of its own ledger, signed by the member's key.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, toHex } from '@tessera/crypto';
import { cosignHead, cosignatureProblem, parseCosignatureLine, verifyHead } from '@tessera/payouts';
import { acceptLedgerCosignature } from '../src/payouts/ledger-cosignatures.js';
import { PayoutLedger } from '../src/payouts/payout-ledger.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { tempDir } from './helpers.js';

describe('ledger cosignatures at the coordinator', () => {
  const record = (participant: string, amount: number) => ({
    job: 'job-1',
    participant,
    amount,
    currency: 'EUR',
    method: 'loo',
    share: 0.5,
    timestamp: '2026-11-22T08:00:00.000Z',
  });

  it('signs the head into every receipt, keeps valid cosignatures once and exports them', async () => {
    const tmp = tempDir();
    const store = new SqliteStore(':memory:');
    try {
      const ledger = new PayoutLedger(store, tmp.dir);
      const entries = await ledger.append([record('p-1', 10), record('p-2', 20)]);
      const receipts = ledger.receipts(entries);
      const head = receipts[0]!.receipt.head!;
      expect(head).toMatchObject({ seq: 2, hash: entries[1]!.hash });
      expect(receipts[1]!.receipt.head).toEqual(head);
      expect(verifyHead(head as { seq: number; hash: string; signature: string }, ledger.publicKey)).toBe(true);

      const p1 = generateSigningKeyPair();
      const c = cosignHead(head as { seq: number; hash: string }, ledger.publicKeyHex, 'p-1', p1);
      const message = { seq: c.seq, hash: c.hash, coordinatorKey: c.coordinatorKey, signature: c.signature };
      expect(await acceptLedgerCosignature(store, 'p-1', p1.publicKey, message)).toBeUndefined();
      expect(await acceptLedgerCosignature(store, 'p-1', p1.publicKey, message)).toBeUndefined();
      const exported = await ledger.export();
      expect(exported).toMatchObject({ headSeq: 2, head: entries[1]!.hash });
      expect(exported.cosignatures).toHaveLength(1);
      const kept = parseCosignatureLine(exported.cosignatures[0]!, 1);
      expect(kept).toMatchObject({ participant: 'p-1', publicKey: toHex(p1.publicKey), seq: 2 });
      expect(cosignatureProblem(kept)).toBeUndefined();
      // A job's slice carries the cosignatures over heads inside it only.
      expect((await ledger.export('job-1')).cosignatures).toHaveLength(1);
      await ledger.append([{ ...record('p-1', 5), job: 'job-2' }]);
      expect((await ledger.export('job-2')).cosignatures).toHaveLength(0);

      // Refused: a seq the ledger lacks, another hash, another coordinator's key, another member's signature.
      expect(await acceptLedgerCosignature(store, 'p-1', p1.publicKey, { ...message, seq: 9 })).toMatch(
        /no entry at seq 9/,
      );
      expect(await acceptLedgerCosignature(store, 'p-1', p1.publicKey, { ...message, hash: entries[0]!.hash })).toMatch(
        /is not the ledger's hash at seq 2/,
      );
      const other = toHex(generateSigningKeyPair().publicKey);
      expect(await acceptLedgerCosignature(store, 'p-1', p1.publicKey, { ...message, coordinatorKey: other })).toMatch(
        /is not this ledger's key/,
      );
      const p2 = generateSigningKeyPair();
      expect(await acceptLedgerCosignature(store, 'p-2', p2.publicKey, message)).toMatch(
        /does not verify under participant p-2/,
      );
      expect((await ledger.export()).cosignatures).toHaveLength(1);
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });
});
