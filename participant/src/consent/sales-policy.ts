// The `sales` section of a consent policy: whether, to whom and as which products this node's data may be sold.

/**
 * A consent policy's `sales` section, its defaults applied. A buyer entry is a buyer's name, `class:NAME` for every
 * buyer of that class, or "*" for any buyer; a product entry is a product's name or id, or "*" for any product.
 */
export interface SalesPolicy {
  /** false: this node's data is never sold. */
  allowed: boolean;
  /** The buyers a sale may go to (default ["*"]). */
  buyers: string[];
  /** Buyers never sold to, whatever `buyers` says (default none). */
  excludeBuyers: string[];
  /** The products this node's data may be sold as (default ["*"]). */
  products: string[];
}

/** The fields of `sales` in a policy. */
export const SALES_FIELDS = ['allowed', 'buyers', 'excludeBuyers', 'products'] as const;

/** The prefix of a buyer entry that names a class of buyers (`class:bank`). */
export const BUYER_CLASS_PREFIX = 'class:';

/** A mistake in the `sales` section: the field (e.g. `sales.buyers`) and what is wrong with it. */
export class SalesPolicyProblem extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SalesPolicyProblem';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list of entries: strings, none empty or listed twice, `class:` entries naming a class. */
function entries(field: string, v: unknown, what: string, mayBeEmpty: boolean): string[] {
  if (!Array.isArray(v) || (!mayBeEmpty && v.length === 0) || v.some((x) => typeof x !== 'string' || x.trim() === ''))
    throw new SalesPolicyProblem(
      field,
      `must be a ${mayBeEmpty ? '' : 'non-empty '}list of ${what}, got ${JSON.stringify(v)}`,
    );
  const out = (v as string[]).map((x) => x.trim());
  const dup = out.find((x, i) => out.indexOf(x) !== i);
  if (dup !== undefined) throw new SalesPolicyProblem(field, `lists "${dup}" twice`);
  return out;
}

function buyerEntries(field: string, v: unknown, mayBeEmpty: boolean): string[] {
  const out = entries(field, v, 'buyer names, "class:NAME" for a class of buyers, or "*" for any buyer', mayBeEmpty);
  const bare = out.find((x) => x === BUYER_CLASS_PREFIX.slice(0, -1) || x === BUYER_CLASS_PREFIX);
  if (bare !== undefined)
    throw new SalesPolicyProblem(field, `"${bare}" names no class; write "class:NAME", e.g. "class:bank"`);
  return out;
}

/**
 * Validates a policy's `sales` section: `allowed` (required, true or false), `buyers`, `excludeBuyers` and
 * `products`. Throws SalesPolicyProblem naming the field (`sales.buyers`) and the value.
 */
export function parseSalesPolicy(v: unknown): SalesPolicy {
  if (!isObj(v))
    throw new SalesPolicyProblem(
      'sales',
      `must be a mapping like { allowed: true, buyers: ["*"], products: ["*"] }, got ${JSON.stringify(v)}`,
    );
  for (const k of Object.keys(v)) {
    if (!(SALES_FIELDS as readonly string[]).includes(k))
      throw new SalesPolicyProblem(`sales.${k}`, `unknown field; known fields: ${SALES_FIELDS.join(', ')}`);
  }
  if (typeof v.allowed !== 'boolean')
    throw new SalesPolicyProblem(
      'sales.allowed',
      `is required: true to allow sales of products built from this node's data, false to refuse every sale, ` +
        `got ${JSON.stringify(v.allowed)}`,
    );
  const buyers = v.buyers === undefined ? ['*'] : buyerEntries('sales.buyers', v.buyers, false);
  const excludeBuyers = v.excludeBuyers === undefined ? [] : buyerEntries('sales.excludeBuyers', v.excludeBuyers, true);
  if (excludeBuyers.includes('*'))
    throw new SalesPolicyProblem(
      'sales.excludeBuyers',
      'lists "*", which excludes every buyer; write sales.allowed: false to refuse every sale',
    );
  const products =
    v.products === undefined ? ['*'] : entries('sales.products', v.products, 'product names or ids, or "*"', false);
  return { allowed: v.allowed, buyers, excludeBuyers, products };
}
