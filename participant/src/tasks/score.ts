// SCORE: encrypted scoring; per-segment sums scored against the analyst's encrypted model.
import { loadSeal } from '@tessera/he';
import { tessera } from '@tessera/proto';
import { scoreSegments } from '../score-compute.js';
import type { ComputeHandler } from './task-handler.js';

type Scores = ReturnType<typeof scoreSegments>;

export const scoreTask: ComputeHandler<Scores> = {
  kind: 'compute',
  stage: tessera.v1.Stage.SCORE,
  prepare: (task) => (task.scoring ? loadSeal() : undefined),
  compute(ctx, { task }) {
    const scores = scoreSegments(ctx.data, task);
    return { result: scores, rows: scores.rows };
  },
  /** One message per segment (only ciphertexts), then done. */
  async reply(ctx, { task }, { segments, rows }) {
    const ref = task.ref;
    for (const [index, c] of segments.entries()) {
      await ctx.send({ segment: { task: ref, index, total: segments.length, score: c.score, count: c.count } });
    }
    await ctx.send({ done: { task: ref, numExamples: rows } });
  },
};
