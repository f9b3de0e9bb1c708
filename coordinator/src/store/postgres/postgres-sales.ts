/** The PostgreSQL side of data-trust products and sales (the store delegates to it). */
import type pg from 'pg';
import {
  productFromRow,
  saleFromRow,
  salesQuery,
  salesWhere,
  type ProductRecord,
  type SaleRecord,
  type SalesFilter,
} from '../sales-records.js';
import type { Row } from '../store-rows.js';
import type { Queryable } from './postgres-transaction.js';

export class PostgresSales {
  constructor(private readonly pool: pg.Pool) {}

  async addProduct(p: ProductRecord): Promise<void> {
    await this.pool.query('INSERT INTO products (id, owner, name, created_at, json) VALUES ($1, $2, $3, $4, $5)', [
      p.id,
      p.owner,
      p.name,
      p.createdAt,
      p.json,
    ]);
  }

  async product(id: string): Promise<ProductRecord | undefined> {
    const r = (await this.pool.query<Row>('SELECT * FROM products WHERE id = $1', [id])).rows[0];
    return r && productFromRow(r);
  }

  async products(owner?: string): Promise<ProductRecord[]> {
    const r =
      owner === undefined
        ? await this.pool.query<Row>('SELECT * FROM products ORDER BY created_at, id')
        : await this.pool.query<Row>('SELECT * FROM products WHERE owner = $1 ORDER BY created_at, id', [owner]);
    return r.rows.map(productFromRow);
  }

  /** Inside the ledger's transaction (`db`): a taken id throws (unique violation), which rolls the entries back. */
  async insertSale(db: Queryable, s: SaleRecord): Promise<void> {
    await db.query(
      'INSERT INTO sales (id, product_id, kind, sale_id, created_at, json) VALUES ($1, $2, $3, $4, $5, $6)',
      [s.id, s.productId, s.kind, s.saleId, s.createdAt, s.json],
    );
  }

  async sale(id: string): Promise<SaleRecord | undefined> {
    const r = (await this.pool.query<Row>('SELECT * FROM sales WHERE id = $1', [id])).rows[0];
    return r && saleFromRow(r);
  }

  async sales(filter: SalesFilter = {}): Promise<SaleRecord[]> {
    const { where, values } = salesWhere(filter, (i) => `$${i}`);
    return (await this.pool.query<Row>(salesQuery(where), values)).rows.map(saleFromRow);
  }
}
