// QUERY: an analytics query over this node's rows, under the owner's query rules.
import { tessera } from '@tessera/proto';
import type { LocalResult } from '../local-compute.js';
import { precheckQuery, runQueryLocally } from '../query-compute.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const queryTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.QUERY,
  // A query the owner's query rules refuse is refused after consent and before the charge, so it is never charged.
  beforeCharge(ctx, task) {
    precheckQuery(ctx.data, task, ctx.consent.queryRules(task.dataset ?? ''));
  },
  async compute(ctx, { task }) {
    const result = await runQueryLocally(ctx.data, task, ctx.consent.queryRules(task.dataset ?? ''));
    return { result, rows: result.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
