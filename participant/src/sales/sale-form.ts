// The form of a SALE task's sale (Task.sale): what the node checks before it decides on the sale at all.
import type { tessera } from '@tessera/proto';
import type { Sale } from './sale-rules.js';

/** Ids the node keeps in its audit log: printable, no longer than this. */
const MAX_TEXT = 200;

/**
 * The task's sale, checked: a sale id equal to the task's job id, a product id, at least one job, a buyer (all
 * non-empty), an amount that is a safe integer of at least 1 (minor units) and a currency of three capitals. Throws
 * an Error naming the field and the value otherwise.
 */
export function saleOf(task: tessera.v1.ITask): Sale {
  const s = task.sale;
  if (!s) throw new Error('a SALE task without its sale (Task.sale is missing)');
  const text = (field: string, v: string | null | undefined, required: boolean): string => {
    const t = v ?? '';
    if (required && t.trim() === '') throw new Error(`sale.${field} is empty; a sale names it`);
    if (t.length > MAX_TEXT || [...t].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))
      throw new Error(
        `sale.${field} must be printable text of at most ${MAX_TEXT} characters, got ${JSON.stringify(t.slice(0, 40))}`,
      );
    return t;
  };
  const saleId = text('sale_id', s.saleId, true);
  const ref = task.ref?.jobId ?? '';
  if (ref !== saleId)
    throw new Error(`sale.sale_id ${JSON.stringify(saleId)} is not the task's job id ${JSON.stringify(ref)}`);
  const jobs = s.jobs ?? [];
  if (jobs.length === 0) throw new Error('sale.jobs is empty; a product is built from at least one job');
  for (const [i, j] of jobs.entries()) text(`jobs[${i}]`, j, true);
  const amount = Number(s.amount ?? 0);
  if (!Number.isSafeInteger(amount) || amount < 1)
    throw new Error(`sale.amount must be a whole number of minor units, at least 1, got ${String(s.amount ?? 0)}`);
  const currency = s.currency ?? '';
  if (!/^[A-Z]{3}$/.test(currency))
    throw new Error(`sale.currency must be an ISO 4217 code of three capitals (EUR), got ${JSON.stringify(currency)}`);
  return {
    saleId,
    productId: text('product_id', s.productId, true),
    productName: text('product_name', s.productName, false),
    jobs: [...jobs],
    buyer: text('buyer', s.buyer, true),
    buyerClass: text('buyer_class', s.buyerClass, false),
    amount,
    currency,
    seller: text('seller', s.seller, false),
  };
}
