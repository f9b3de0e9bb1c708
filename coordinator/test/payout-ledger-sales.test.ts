// The coordinator files a sale's ledger entries under their product, so a job's slice holds its own payouts only.
import { parseLedgerLine, verifyLedger } from '@tessera/payouts';
import { describe, expect, it } from 'vitest';
import { PayoutLedger } from '../src/payouts/payout-ledger.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { tempDir } from './helpers.js';

describe('the payout ledger with sales (format version 3)', () => {
  it("files a job's payouts under the job and a sale's entries under the product", async () => {
    const tmp = tempDir();
    const store = new SqliteStore(':memory:');
    try {
      const ledger = new PayoutLedger(store, tmp.dir);
      const common = { currency: 'EUR', timestamp: '2026-12-03T10:00:00.000Z' };
      await ledger.append([{ ...common, job: 'job-1', participant: 'p-1', amount: 10, method: 'loo', share: 1 }]);
      const sale = { ...common, job: 'job-1+job-2', product: 'prod-1', sale: 'sale-1' };
      const entries = await ledger.append([
        { ...sale, kind: 'sale', participant: 'bank', amount: 7, method: 'records', share: 1 },
        { ...sale, kind: 'payout', participant: 'p-1', amount: 7, method: 'records', share: 1 },
        { ...sale, kind: 'buyer-refund', participant: 'bank', amount: -2, method: 'refund', share: 1 },
        { ...sale, kind: 'refund', participant: 'p-1', amount: -2, method: 'refund', share: 1 },
      ]);
      expect(entries.map((e) => [e.version, e.kind, e.amount])).toEqual([
        [3, 'sale', 7],
        [3, 'payout', 7],
        [3, 'buyer-refund', -2],
        [3, 'refund', -2],
      ]);
      const job = await ledger.export('job-1');
      expect(job.lines.map((l, i) => parseLedgerLine(l, i + 1)).map((e) => [e.seq, e.kind, e.sale])).toEqual([
        [1, 'payout', ''],
      ]);
      expect((await ledger.export('prod-1')).lines.map((l) => parseLedgerLine(l, 1).seq)).toEqual([2, 3, 4, 5]);
      const all = await ledger.export();
      expect(verifyLedger(all.lines.join('\n'), ledger.publicKey, { head: all.head })).toMatchObject({
        ok: true,
        entries: 5,
        formatVersion: 3,
      });
    } finally {
      await store.close();
      tmp.cleanup();
    }
  });
});
