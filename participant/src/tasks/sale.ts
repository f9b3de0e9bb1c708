// SALE: the node's consent to one sale of a product built from its data. It reads no data and spends no budget.
import { tessera } from '@tessera/proto';
import { ConsentRefusal } from '../consent/consent-guard.js';
import { saleAuditFields } from '../sales/sale-audit.js';
import { saleOf } from '../sales/sale-form.js';
import type { Sale, SaleDecision } from '../sales/sale-rules.js';
import type { TaskContext } from './task-handler.js';

const pb = tessera.v1;

/**
 * Answers a SALE task: checks the sale's form (else refuses it, naming the field), decides on it under the consent
 * policy's `sales` rules, writes the decision to the audit log, and answers TaskDone (consent) or TaskRefused (kind
 * consent, the reason naming the policy file and field). It never waits for, opens or reads the node's data, and
 * passes no data admission: a sale releases nothing from the data, it only pays for what jobs released before. The
 * same sale asked again gets the same answer (and no second audit entry); a sale id asked again for other terms is
 * refused.
 */
export async function saleTask(ctx: TaskContext, task: tessera.v1.ITask): Promise<void> {
  const ref = task.ref ?? {};
  let sale: Sale;
  try {
    sale = saleOf(task);
  } catch (e) {
    return ctx.refuse(ref, e as Error, task, pb.Stage.SALE);
  }
  const memory = ctx.consent.saleMemory;
  const earlier = memory.answered(sale);
  const decision: SaleDecision = earlier?.decision ?? ctx.consent.saleDecision(sale);
  if (!earlier?.repeat) {
    try {
      ctx.ledger.appendAudit(saleAuditFields(sale, decision, Date.now()));
    } catch (e) {
      const why = `could not record sale ${sale.saleId} in the audit log: ${(e as Error).message}`;
      return ctx.refuse(ref, why, task, pb.Stage.SALE);
    }
  }
  // Kept once recorded: a sale whose decision could not be audited is decided (and audited) again when asked again.
  if (!earlier) memory.keep(sale, decision);
  if (!decision.allowed) return ctx.refuse(ref, new ConsentRefusal(decision.reason), task, pb.Stage.SALE);
  ctx.logger.info(
    { jobId: sale.saleId, stage: 'sale' },
    `participant ${ctx.id} consents to sale ${sale.saleId} of product "${sale.productName}" (${sale.productId}) ` +
      `to buyer "${sale.buyer}" for ${sale.amount} ${sale.currency}`,
  );
  await ctx.send({ done: { task: ref, numExamples: 0 } });
  ctx.emit('done', ref);
}
