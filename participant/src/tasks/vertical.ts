// VERTICAL: this node's side (guest or host) of vertical federated learning with one peer, sealed end to end.
import { tessera } from '@tessera/proto';
import { sameRef } from '../task-ref.js';
import { checkVerticalTask, type VerticalNode } from '../vertical/vertical-check.js';
import { VerticalRun } from '../vertical/vertical-run.js';
import { readVerticalTable } from '../vertical/vertical-table.js';
import type { SessionHandler, TaskContext } from './task-handler.js';

const nodeOf = (ctx: TaskContext): VerticalNode => ({
  id: ctx.id,
  ledger: ctx.ledger,
  ...(ctx.rosterAuthority ? { rosterAuthority: ctx.rosterAuthority } : {}),
  ...(ctx.overlapPolicy ? { overlapPolicy: ctx.overlapPolicy } : {}),
});

export const verticalTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.VERTICAL,
  /** Role, data set, peer, session, salt and the peer's key (pinned on first use): refused here is never charged. */
  beforeCharge(ctx, task) {
    checkVerticalTask(task, nodeOf(ctx));
  },
  /**
   * Reads the party's columns (refusing a missing id, label or feature column, a repeated or empty identifier, a
   * non-numeric feature or a label that is not 0/1, naming the line and column), sends the channel's hello, and runs
   * the protocol in the background: the peer's messages arrive through onVerticalPsi.
   */
  async start(ctx, task, record) {
    const checked = checkVerticalTask(task, nodeOf(ctx));
    const table = readVerticalTable(ctx.data, checked.party, ctx.data.servedColumns(checked.party.dataset));
    record(table.ids.length);
    const ref = task.ref ?? {};
    ctx.connection.vertical?.stop('a new vertical task replaced this run');
    const run = new VerticalRun(
      ref,
      checked,
      table,
      { id: ctx.id, identitySecretKey: ctx.identitySecretKey },
      (m) => ctx.send({ psi: m }),
      (phase, detail) => ctx.log(`participant ${ctx.id}: vertical ${ref.jobId} ${phase}: ${detail}`),
    );
    ctx.connection.vertical = run;
    await ctx.send({ psi: run.hello() });
    void finish(ctx, run);
  },
  abandon(ctx) {
    ctx.connection.vertical?.stop('abandoned');
    ctx.connection.vertical = undefined;
  },
};

/** The peer's hello and sealed chunks, relayed by the coordinator. */
export function onVerticalPsi(ctx: TaskContext, m: tessera.v1.IPsiPoints): void {
  const run = ctx.connection.vertical;
  if (!run || !sameRef(run.ref, m.task)) {
    ctx.log(`participant ${ctx.id}: ignored a vertical message for a run that is not in progress`);
    return;
  }
  run.onPsi(m);
}

/** The coordinator cancelled the task (the peer refused or failed, or the job was cancelled). */
export function onVerticalCancel(ctx: TaskContext, m: tessera.v1.ICancelTask): void {
  const run = ctx.connection.vertical;
  if (!run || !sameRef(run.ref, m.task)) return;
  run.stop(`the coordinator cancelled the run: ${m.reason || 'no reason given'}`);
  ctx.connection.vertical = undefined;
}

/** Waits for the protocol's end: keeps this node's part of the model and answers, or refuses with the reason. */
async function finish(ctx: TaskContext, run: VerticalRun): Promise<void> {
  const { checked, ref } = run;
  try {
    const outcome = await run.outcome;
    if (ctx.connection.vertical === run) ctx.connection.vertical = undefined;
    const model = outcome.result.model;
    ctx.ledger.storeVerticalModel({
      jobId: ref.jobId ?? '',
      role: checked.party.role,
      dataset: checked.party.dataset,
      peerId: checked.peer.participant,
      modelJson: JSON.stringify(model),
      at: Date.now(),
    });
    ctx.log(
      `participant ${ctx.id}: vertical ${ref.jobId} done as ${checked.party.role}: ${outcome.result.overlap} shared ` +
        `customers; sent ${run.link.bytesOut} bytes, received ${run.link.bytesIn}`,
    );
    if (outcome.role === 'guest') {
      const m = outcome.result.metrics;
      const metrics = Object.entries({
        overlap: outcome.result.overlap,
        auc: m.auc,
        accuracy: m.accuracy,
        logLoss: m.logLoss,
        trainRows: m.trainRows,
        testRows: m.testRows,
      }).map(([name, value]) => ({ name, value }));
      await ctx.send({
        done: { task: ref, numExamples: outcome.result.overlap, metrics, resultJson: JSON.stringify(model) },
      });
    } else {
      // The host's part of the model stays here: its TaskDone carries nothing but the count it aligned.
      await ctx.send({ done: { task: ref, numExamples: outcome.result.overlap } });
    }
    ctx.emit('done', ref);
  } catch (e) {
    if (ctx.connection.vertical === run) ctx.connection.vertical = undefined;
    if (ctx.connection.closed) return;
    await ctx.refuse(ref, e as Error, undefined, tessera.v1.Stage.VERTICAL).catch(() => undefined);
  }
}
