/** The SQLite side of data-trust products and sales (the store delegates to it). */
import type Database from 'better-sqlite3';
import {
  productFromRow,
  saleFromRow,
  salesQuery,
  salesWhere,
  type ProductRecord,
  type SaleRecord,
  type SalesFilter,
} from './sales-records.js';
import type { Row } from './store-rows.js';

export class SqliteSales {
  constructor(private readonly db: Database.Database) {}

  addProduct(p: ProductRecord): void {
    this.db
      .prepare('INSERT INTO products (id, owner, name, created_at, json) VALUES (?, ?, ?, ?, ?)')
      .run(p.id, p.owner, p.name, p.createdAt, p.json);
  }

  product(id: string): ProductRecord | undefined {
    const r = this.db.prepare('SELECT * FROM products WHERE id = ?').get(id) as Row | undefined;
    return r && productFromRow(r);
  }

  products(owner?: string): ProductRecord[] {
    const rows =
      owner === undefined
        ? this.db.prepare('SELECT * FROM products ORDER BY created_at, id').all()
        : this.db.prepare('SELECT * FROM products WHERE owner = ? ORDER BY created_at, id').all(owner);
    return (rows as Row[]).map(productFromRow);
  }

  /** Inside the ledger's transaction: a taken id throws (SQLITE_CONSTRAINT), which rolls the entries back. */
  insertSale(s: SaleRecord): void {
    this.db
      .prepare('INSERT INTO sales (id, product_id, kind, sale_id, created_at, json) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.id, s.productId, s.kind, s.saleId, s.createdAt, s.json);
  }

  sale(id: string): SaleRecord | undefined {
    const r = this.db.prepare('SELECT * FROM sales WHERE id = ?').get(id) as Row | undefined;
    return r && saleFromRow(r);
  }

  sales(filter: SalesFilter = {}): SaleRecord[] {
    const { where, values } = salesWhere(filter, () => '?');
    return (this.db.prepare(salesQuery(where)).all(...values) as Row[]).map(saleFromRow);
  }
}
