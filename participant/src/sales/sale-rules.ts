// The decision on one sale under the owner's consent policy: its `sales` rules for the buyer and the product.
import type { ConsentPolicy } from '../consent/policy.js';
import { BUYER_CLASS_PREFIX } from '../consent/sales-policy.js';

/** A sale as the node checks it (the SALE task's Task.sale, checked for form). */
export interface Sale {
  saleId: string;
  productId: string;
  productName: string;
  jobs: string[];
  buyer: string;
  /** '' when the trust gave none. */
  buyerClass: string;
  /** In minor units: a safe integer, at least 1. */
  amount: number;
  /** ISO 4217, three capitals. */
  currency: string;
  seller: string;
}

export type SaleDecision = { allowed: true; reason: string } | { allowed: false; reason: string };

/** `buyer "acme" (class bank)`, or `buyer "acme" (no class given)`. */
export const describeBuyer = (s: Sale) =>
  `buyer "${s.buyer}" (${s.buyerClass ? `class ${s.buyerClass}` : 'no class given'})`;

/** `product "Churn report" (prod-0123…)`. */
export const describeProduct = (s: Sale) => `product "${s.productName}" (${s.productId})`;

/** The entries of a buyer list that match the sale's buyer: its name, its class as `class:NAME`, or "*". */
function buyerMatches(list: readonly string[], s: Sale): string[] {
  return list.filter(
    (e) => e === '*' || e === s.buyer || (s.buyerClass !== '' && e === `${BUYER_CLASS_PREFIX}${s.buyerClass}`),
  );
}

const quoted = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');

/**
 * Whether the policy allows this sale. No policy (an open node): every sale. A policy without a `sales` section: no
 * sale (the owner never consented). Else `sales.allowed`, then `sales.excludeBuyers` (which wins), `sales.buyers`
 * and `sales.products` (by the product's name or id). A refusal's reason names the file, the field and the value.
 */
export function saleDecision(policy: ConsentPolicy | undefined, s: Sale): SaleDecision {
  if (!policy) return { allowed: true, reason: 'this node has no consent policy: every sale is allowed' };
  const file = policy.file;
  const sales = policy.sales;
  const refuse = (why: string): SaleDecision => ({
    allowed: false,
    reason: `consent: sale ${s.saleId} refused: ${why}`,
  });
  if (!sales) return refuse(`the consent policy ${file} has no sales section: add sales.allowed: true to allow sales`);
  if (!sales.allowed)
    return refuse(
      `the consent policy ${file} does not allow sales (sales.allowed: false); set it to true to allow them`,
    );
  const excluded = buyerMatches(sales.excludeBuyers, s);
  if (excluded.length)
    return refuse(
      `${describeBuyer(s)} is excluded by sales.excludeBuyers (${quoted(excluded)}) in the consent policy ${file}`,
    );
  const buyers = buyerMatches(sales.buyers, s);
  if (buyers.length === 0) {
    const add = [s.buyer, ...(s.buyerClass ? [`${BUYER_CLASS_PREFIX}${s.buyerClass}`] : [])];
    return refuse(
      `${describeBuyer(s)} is not among sales.buyers (${quoted(sales.buyers)}) in the consent policy ${file}: ` +
        `add ${add.map((x) => JSON.stringify(x)).join(' or ')} to sell to it`,
    );
  }
  const product = sales.products.find((p) => p === '*' || p === s.productName || p === s.productId);
  if (product === undefined)
    return refuse(
      `${describeProduct(s)} is not among sales.products (${quoted(sales.products)}) in the consent policy ` +
        `${file}: add its name or id to sell it`,
    );
  return {
    allowed: true,
    reason: `allowed by the consent policy ${file}: sales.buyers ${quoted(buyers)}, sales.products "${product}"`,
  };
}
