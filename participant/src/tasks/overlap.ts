// OVERLAP: this node's side of a private set intersection (audience overlap) with one peer.
import { tessera } from '@tessera/proto';
import { PsiSession } from '../psi-session.js';
import { describe, sameRef } from '../task-ref.js';
import type { SessionHandler, TaskContext } from './task-handler.js';

export const overlapTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.OVERLAP,
  /** Blinds the identifier column and sends it; the run continues on this connection as the peer's sets arrive. */
  async start(ctx, task, record) {
    const { session, message, identifiers } = await PsiSession.start(task, ctx.data);
    record(identifiers);
    ctx.connection.psi = session;
    await ctx.send({ psi: message });
  },
  abandon(ctx) {
    ctx.connection.psi = undefined;
  },
};

/** The peer's points, relayed by the coordinator: answered, or (the last of them) the overlap reported. */
export async function onPsiPoints(ctx: TaskContext, m: tessera.v1.IPsiPoints): Promise<void> {
  const session = ctx.connection.psi;
  if (!session || !sameRef(session.ref, m.task))
    return ctx.log(
      `participant ${ctx.id}: ignored set-intersection points for ${describe(m.task)} with no matching run`,
    );
  try {
    const out = session.onPoints(m);
    if ('reply' in out) return await ctx.send({ psi: out.reply });
    ctx.connection.psi = undefined;
    await ctx.send({ done: { task: session.ref, numExamples: 0, metrics: [{ name: 'overlap', value: out.overlap }] } });
    ctx.emit('done', session.ref);
  } catch (e) {
    ctx.connection.psi = undefined;
    await ctx.refuse(session.ref, e as Error);
  }
}
