import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/index.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { LedgerRow, ProductRecord, SaleRecord, Store } from '../src/store/store.js';
import { tempDir } from './helpers.js';
import { type PostgresCluster, startPostgres } from './pg/pg-cluster.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

const product = (id: string, owner: string, createdAt = T0): ProductRecord => ({
  id,
  owner,
  name: `product ${id}`,
  createdAt,
  json: JSON.stringify({ id, owner }),
});

const ledgerRow = (seq: number, jobId: string, participant = 'p-1'): LedgerRow => ({
  seq,
  jobId,
  participant,
  hash: `h${seq}`,
  line: `{"seq":${seq}}`,
});

/** A sale row whose JSON records the ledger seqs it was written with (as the sales code records them). */
const saleOf =
  (id: string, productId: string, kind: SaleRecord['kind'] = 'sale', saleId = id, createdAt = T0) =>
  (rows: LedgerRow[]): SaleRecord => ({
    id,
    productId,
    kind,
    saleId,
    createdAt,
    json: JSON.stringify({ seqs: rows.map((r) => r.seq) }),
  });

/** What both stores do with products and sales: run against SQLite and a throwaway PostgreSQL cluster. */
function salesContract(name: string, open: () => Promise<Store>): void {
  describe(`${name}: products and sales`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('keeps products, lists them oldest first and by owner, and refuses a taken id', async () => {
      await store.addProduct(product('prod-b', 'bob', T0 + 2));
      await store.addProduct(product('prod-a', 'alice', T0 + 1));
      await store.addProduct(product('prod-c', 'alice', T0 + 3));
      expect(await store.getProduct('prod-a')).toEqual(product('prod-a', 'alice', T0 + 1));
      expect(await store.getProduct('prod-x')).toBeUndefined();
      expect((await store.listProducts()).map((p) => p.id)).toEqual(['prod-a', 'prod-b', 'prod-c']);
      expect((await store.listProducts('alice')).map((p) => p.id)).toEqual(['prod-a', 'prod-c']);
      expect(await store.listProducts('carol')).toEqual([]);
      await expect(store.addProduct(product('prod-a', 'bob'))).rejects.toThrow();
      expect((await store.getProduct('prod-a'))?.owner).toBe('alice');
    });

    it('writes a sale with its entries in one transaction, and lists sales by product, owner, sale', async () => {
      await store.addProduct(product('prod-a', 'alice'));
      await store.addProduct(product('prod-b', 'bob'));
      await store.appendLedger(
        (head) => [ledgerRow(head.seq + 1, 'prod-a'), ledgerRow(head.seq + 2, 'prod-a', 'p-2')],
        saleOf('sale-1', 'prod-a'),
      );
      await store.appendLedger((head) => [ledgerRow(head.seq + 1, 'prod-b')], saleOf('sale-2', 'prod-b'));
      await store.appendLedger(
        (head) => [ledgerRow(head.seq + 1, 'prod-a')],
        saleOf('sale-1/refund/1', 'prod-a', 'refund', 'sale-1', T0 + 5),
      );
      expect(await store.getSale('sale-1')).toEqual({
        id: 'sale-1',
        productId: 'prod-a',
        kind: 'sale',
        saleId: 'sale-1',
        createdAt: T0,
        json: '{"seqs":[1,2]}',
      });
      expect((await store.getSale('sale-1/refund/1'))?.json).toBe('{"seqs":[4]}');
      expect(await store.getSale('sale-9')).toBeUndefined();
      const ids = async (filter?: Parameters<Store['listSales']>[0]) =>
        (await store.listSales(filter)).map((s) => s.id);
      expect(await ids()).toEqual(['sale-1', 'sale-2', 'sale-1/refund/1']);
      expect(await ids({ productId: 'prod-a' })).toEqual(['sale-1', 'sale-1/refund/1']);
      expect(await ids({ owner: 'bob' })).toEqual(['sale-2']);
      expect(await ids({ owner: 'alice', saleId: 'sale-1' })).toEqual(['sale-1', 'sale-1/refund/1']);
      expect(await ids({ owner: 'bob', saleId: 'sale-1' })).toEqual([]);
      expect((await store.ledgerRows('prod-a')).map((r) => r.seq)).toEqual([1, 2, 4]);
    });

    it('a refund whose id is taken (a racing second refund) fails and appends no entry', async () => {
      await store.addProduct(product('prod-a', 'alice'));
      await store.appendLedger((head) => [ledgerRow(head.seq + 1, 'prod-a')], saleOf('sale-1', 'prod-a'));
      const refund = saleOf('sale-1/refund/1', 'prod-a', 'refund', 'sale-1');
      await store.appendLedger((head) => [ledgerRow(head.seq + 1, 'prod-a')], refund);
      const head = await store.ledgerHead();
      await expect(store.appendLedger((h) => [ledgerRow(h.seq + 1, 'prod-a')], refund)).rejects.toThrow();
      expect(await store.ledgerHead()).toEqual(head);
      expect((await store.listSales({ saleId: 'sale-1' })).map((s) => s.id)).toEqual(['sale-1', 'sale-1/refund/1']);
    });

    it('writes no sale when its entries cannot be appended, and no entries when the sale row fails', async () => {
      await store.addProduct(product('prod-a', 'alice'));
      await store.appendLedger(() => [ledgerRow(1, 'job-x')]);
      // The entry clashes with seq 1: the sale row is not written either.
      await expect(store.appendLedger(() => [ledgerRow(1, 'prod-a')], saleOf('sale-1', 'prod-a'))).rejects.toThrow();
      expect(await store.getSale('sale-1')).toBeUndefined();
      // The sale names no stored product (a foreign key): its entries are rolled back.
      await expect(
        store.appendLedger((h) => [ledgerRow(h.seq + 1, 'prod-z')], saleOf('sale-2', 'prod-z')),
      ).rejects.toThrow();
      // The row builder throws: nothing is appended.
      await expect(
        store.appendLedger(
          (h) => [ledgerRow(h.seq + 1, 'prod-a')],
          () => {
            throw new Error('no row');
          },
        ),
      ).rejects.toThrow('no row');
      expect(await store.ledgerHead()).toEqual({ seq: 1, hash: 'h1' });
      expect(await store.listSales()).toEqual([]);
    });
  });
}

const dirs: ReturnType<typeof tempDir>[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

salesContract('SqliteStore', async () => {
  const tmp = tempDir();
  dirs.push(tmp);
  return new SqliteStore(join(tmp.dir, 'coordinator.sqlite'));
});

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

salesContract('PostgresStore', async () => PostgresStore.open(await cluster.createSchema()));
