// SCORE: encrypted scoring; per-segment sums scored against the analyst's encrypted model.
import { loadSeal } from '@tessera/he';
import { tessera } from '@tessera/proto';
import { scoreSegments, scoringTable } from '../score-compute.js';
import { taskSpecOf } from '../privacy/task-spec.js';
import { checkSegmentColumn, scoreRulesOf, signedScoreSpec } from '../score-guard.js';
import type { ComputeHandler, TaskContext } from './task-handler.js';

type Scores = ReturnType<typeof scoreSegments>;

const rulesOf = (ctx: TaskContext, task: tessera.v1.ITask) => scoreRulesOf(ctx.consent.policy, task.dataset ?? '');

export const scoreTask: ComputeHandler<Scores> = {
  kind: 'compute',
  stage: tessera.v1.Stage.SCORE,
  prepare: (task) => (task.scoring ? loadSeal() : undefined),
  // After consent and before the charge (a refused task is never charged): keys signed by the spec's analyst, no
  // segments by an identifier column (this reads the segment column, as a query's pre-check reads its table). A task
  // with a spec of another kind is left to the privacy and spec checks, which name what differs; compute checks the
  // keys again in any case.
  beforeCharge(ctx, task) {
    const kind = taskSpecOf(task)?.kind;
    if (kind === undefined || kind === 'score') signedScoreSpec(task, ctx.trustedAnalysts);
    checkSegmentColumn(task, scoringTable(ctx.data, task, task.label ?? ''), rulesOf(ctx, task));
  },
  compute(ctx, { task }) {
    const spec = signedScoreSpec(task, ctx.trustedAnalysts);
    const scores = scoreSegments(ctx.data, task, spec, rulesOf(ctx, task));
    return { result: scores, rows: scores.rows };
  },
  /**
   * One message per segment, then done. Only ciphertexts: whether this node suppressed a segment travels encrypted in
   * its count ciphertext (the plaintext `suppressed` field is never set), so the coordinator cannot tell a segment
   * of 1 to 19 rows here from an empty one. Done reports 0 examples in every mode: a row count (exact or noised
   * totals) would tell the coordinator how many rows the declared segments hold here, and with one segment whether it
   * was suppressed. The analyst learns the counts by decrypting; the real count stays in this node's audit log.
   */
  async reply(ctx, { task }, { segments }) {
    const ref = task.ref;
    for (const [index, c] of segments.entries()) {
      await ctx.send({ segment: { task: ref, index, total: segments.length, score: c.score, count: c.count } });
    }
    await ctx.send({ done: { task: ref, numExamples: 0 } });
  },
};
