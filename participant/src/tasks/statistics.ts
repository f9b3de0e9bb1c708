// STATISTICS: this node's column moments over the agreed features (in the clear, or securely summed).
import { tessera } from '@tessera/proto';
import type { LocalResult } from '../local-compute.js';
import { localStatistics } from '../streaming/compute.js';
import { asSecureInput, replyWithResult } from './local-result.js';
import type { ComputeHandler } from './task-handler.js';

export const statisticsTask: ComputeHandler<LocalResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.STATISTICS,
  async compute(ctx, { task }) {
    const result = await localStatistics(ctx.data, task);
    return { result, rows: result.numExamples };
  },
  reply: replyWithResult,
  secureInput: asSecureInput,
};
