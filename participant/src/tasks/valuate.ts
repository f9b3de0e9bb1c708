// VALUATE: discloses this node's kept training updates of a job, for valuing its contribution.
import { tessera } from '@tessera/proto';
import type { SessionHandler } from './task-handler.js';

/**
 * Admission grants this only if the owner's consent policy grants the job's analyst the
 * `valuation` purpose; the kept per-round updates then go to the coordinator, and are forgotten.
 */
export const valuateTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.VALUATE,
  async start(ctx, task, record) {
    const ref = task.ref ?? {};
    const updates = ctx.memory.disclosure.messages(ref);
    for (const u of updates) await ctx.send({ valuation: u });
    const rows = Math.max(...updates.map((u) => Number(u.numExamples)));
    record(rows);
    await ctx.send({ done: { task: ref, numExamples: rows } });
    ctx.memory.disclosure.forget(ref.jobId ?? '');
    ctx.emit('done', ref);
  },
};
