/**
 * Data-trust products and sales as the stores keep them (sales/ builds and reads the views): the columns a lookup
 * needs, and the rest as the JSON of the view at the time it was written.
 */
/** A row as both stores read it (the shape store-rows.ts reads jobs from; not imported: store.ts imports this). */
type Row = Record<string, unknown>;

/** A product listed for sale: its id, the analyst who listed it, its name and its ProductView as JSON. */
export interface ProductRecord {
  id: string;
  owner: string;
  name: string;
  createdAt: number;
  json: string;
}

/**
 * A sale (`kind` sale, `saleId` its own id) or a refund of one (`kind` refund, `saleId` the sale it refunds; its id
 * `<sale>/refund/<n>`, so two refunds racing for the same n collide on the key instead of both being paid).
 */
export interface SaleRecord {
  id: string;
  productId: string;
  kind: 'sale' | 'refund';
  saleId: string;
  createdAt: number;
  json: string;
}

/** Which sales (and refunds) to list: of one product, of one analyst's products, of one sale; all when empty. */
export interface SalesFilter {
  productId?: string;
  owner?: string;
  saleId?: string;
}

export const productFromRow = (r: Row): ProductRecord => ({
  id: r.id as string,
  owner: r.owner as string,
  name: r.name as string,
  createdAt: Number(r.created_at),
  json: r.json as string,
});

export const saleFromRow = (r: Row): SaleRecord => ({
  id: r.id as string,
  productId: r.product_id as string,
  kind: r.kind as SaleRecord['kind'],
  saleId: r.sale_id as string,
  createdAt: Number(r.created_at),
  json: r.json as string,
});

/**
 * The WHERE clause of a sales listing (columns of `sales s` joined to `products p`) and its values, with `mark(i)`
 * making the i-th placeholder (SQLite `?`, PostgreSQL `$i`).
 */
export function salesWhere(filter: SalesFilter, mark: (i: number) => string): { where: string; values: string[] } {
  const clauses: string[] = [];
  const values: string[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    values.push(value);
    clauses.push(`${column} = ${mark(values.length)}`);
  };
  add('s.product_id', filter.productId);
  add('p.owner', filter.owner);
  add('s.sale_id', filter.saleId);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

/** The listing's query: sales in the order they were made (refunds after their sale), ids breaking ties. */
export const salesQuery = (where: string): string =>
  `SELECT s.* FROM sales s JOIN products p ON p.id = s.product_id ${where} ORDER BY s.created_at, s.id`;
