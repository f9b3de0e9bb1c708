// QUERY: an analytics query over this node's rows, under the owner's query rules.
import { tessera } from '@tessera/proto';
import type { LocalResult } from '../local-compute.js';
import { verifiedAnalystOf } from '../privacy/spec-authorisation.js';
import { precheckQuery, runQueryLocally } from '../query-compute.js';
import { admitValuation, checkValuationSlots } from '../query-valuation.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const queryTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.QUERY,
  // A query the owner's query rules refuse is refused after consent and before the charge, so it is never charged;
  // so are valuation slots the signed spec did not ask for, or that the owner's consent does not grant (checked
  // first: the query rules may read the table for their identifier test).
  beforeCharge(ctx, task) {
    checkValuationSlots(task, ctx.id);
    admitValuation(ctx.consent, task, verifiedAnalystOf(task));
    precheckQuery(ctx.data, task, ctx.consent.queryRules(task.dataset ?? ''));
  },
  async compute(ctx, { task }) {
    const rules = ctx.consent.queryRules(task.dataset ?? '');
    const result = await runQueryLocally(ctx.data, task, rules, undefined, ctx.id);
    return { result, rows: result.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
