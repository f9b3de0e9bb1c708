// OVERLAP: this node's side of a private set intersection (audience overlap) with one peer, sealed end to end.
import { tessera } from '@tessera/proto';
import { DEFAULT_OVERLAP_POLICY } from '../overlap-policy.js';
import { admitOverlapRun } from '../overlap-runs.js';
import { checkOverlapTask, PsiSession, type OverlapNode } from '../psi-session.js';
import { describe, sameRef } from '../task-ref.js';
import type { SessionHandler, TaskContext } from './task-handler.js';

const nodeOf = (ctx: TaskContext): OverlapNode => ({
  id: ctx.id,
  identitySecretKey: ctx.identitySecretKey,
  data: ctx.data,
  ...(ctx.overlapPolicy ? { policy: ctx.overlapPolicy } : {}),
  ...(ctx.rosterAuthority ? { rosterAuthority: ctx.rosterAuthority } : {}),
});

export const overlapTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.OVERLAP,
  /**
   * Role, peer, roster, counting peers, epsilon and minimum set size, then the daily run limit and the peer's pinned
   * key: refused here is never charged. Runs inside the admission's ledger transaction, so the run and the pin it
   * records are rolled back if a later check refuses the task.
   */
  beforeCharge(ctx, task) {
    const node = nodeOf(ctx);
    const checked = checkOverlapTask(task, node);
    admitOverlapRun(
      ctx.ledger,
      node.policy ?? DEFAULT_OVERLAP_POLICY,
      task,
      checked,
      node.rosterAuthority !== undefined,
    );
  },
  /** Blinds the identifier column and sends the channel's hello; the run goes on as the peer's messages arrive. */
  async start(ctx, task, record) {
    const node = nodeOf(ctx);
    const checked = checkOverlapTask(task, node);
    const { session, hello } = await PsiSession.start(task, node, checked);
    record(checked.ids.length);
    ctx.connection.psi?.close();
    ctx.connection.psi = session;
    await ctx.send({ psi: hello });
  },
  abandon(ctx) {
    ctx.connection.psi?.close();
    ctx.connection.psi = undefined;
  },
};

/** The peer's messages, relayed by the coordinator: answered, or (the last of them) the noisy overlap reported. */
export async function onPsiPoints(ctx: TaskContext, m: tessera.v1.IPsiPoints): Promise<void> {
  const session = ctx.connection.psi;
  if (!session || !sameRef(session.ref, m.task))
    return ctx.logger.warn(
      { participantId: ctx.id, jobId: m.task?.jobId },
      `participant ${ctx.id}: ignored set-intersection points for ${describe(m.task)} with no matching run`,
    );
  try {
    const out = session.onPoints(m);
    for (const reply of out.send) await ctx.send({ psi: reply });
    if (out.overlap === undefined) return;
    session.close();
    ctx.connection.psi = undefined;
    await ctx.send({ done: { task: session.ref, numExamples: 0, metrics: [{ name: 'overlap', value: out.overlap }] } });
    ctx.emit('done', session.ref);
  } catch (e) {
    session.close();
    ctx.connection.psi = undefined;
    await ctx.refuse(session.ref, e as Error);
  }
}
