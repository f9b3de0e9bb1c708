// STATISTICS: this node's column moments over the agreed features (in the clear, or securely summed).
import { tessera } from '@tessera/proto';
import { statistics, type LocalResult } from '../local-compute.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const statisticsTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.STATISTICS,
  compute(ctx, { task }) {
    const result = statistics(ctx.data, task);
    return { result, rows: result.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
