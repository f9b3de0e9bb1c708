// VERTICAL: this node's side (guest or host) of vertical federated learning with one peer, sealed end to end.
import { stageName, tessera } from '@tessera/proto';
import { AlignmentWorkers } from '@tessera/psi';
import {
  runVerticalGuest,
  runVerticalHost,
  type VerticalGuestResult,
  type VerticalHostResult,
} from '@tessera/vertical';
import { DEFAULT_OVERLAP_POLICY } from '../overlap-policy.js';
import { sameRef } from '../task-ref.js';
import { checkVerticalTask, type CheckedParties, type VerticalNode } from '../vertical/vertical-check.js';
import { alignmentSalt, VerticalRun } from '../vertical/vertical-run.js';
import { readVerticalTable } from '../vertical/vertical-table.js';
import type { SessionHandler, TaskContext } from './task-handler.js';

export const verticalNodeOf = (ctx: TaskContext): VerticalNode => ({
  id: ctx.id,
  ledger: ctx.ledger,
  ...(ctx.rosterAuthority ? { rosterAuthority: ctx.rosterAuthority } : {}),
  ...(ctx.overlapPolicy ? { overlapPolicy: ctx.overlapPolicy } : {}),
});

type Outcome = { role: 'guest'; result: VerticalGuestResult } | { role: 'host'; result: VerticalHostResult };

export const verticalTask: SessionHandler = {
  kind: 'session',
  stage: tessera.v1.Stage.VERTICAL,
  /** Role, data set, peer, session, salt and the peer's key (pinned on first use): refused here is never charged. */
  beforeCharge(ctx, task) {
    checkNotBusy(ctx, task);
    checkVerticalTask(task, verticalNodeOf(ctx));
  },
  /**
   * Reads the party's columns (refusing a missing id, label or feature column, a repeated or empty identifier, a
   * non-numeric feature or a label that is not 0/1, naming the line and column), sends the channel's hello, and runs
   * the protocol in the background: the peer's messages arrive through onVerticalPsi.
   */
  async start(ctx, task, record) {
    const checked = checkVerticalTask(task, verticalNodeOf(ctx));
    const table = readVerticalTable(ctx.data, checked.party, ctx.data.servedColumns(checked.party.dataset));
    record(table.ids.length);
    const spec = checked.spec;
    const run = startRun<Outcome>(ctx, task, checked, (link, signal) =>
      withBlinder(table.ids.length, (blinder) => {
        const common = {
          ...(blinder ? { blinder } : {}),
          link,
          table: { ids: table.ids, featureNames: table.featureNames, columns: table.columns },
          model: spec.model,
          salt: alignmentSalt(checked, spec.salt),
          session: checked.session,
          seed: checked.seed,
          testFraction: spec.testFraction,
          minOverlap: minSharedOf(ctx, spec.minOverlap),
          signal,
          progress: progressOf(ctx, task),
        };
        return checked.party.role === 'guest'
          ? runVerticalGuest({ ...common, labels: table.labels! }).then((result) => ({ role: 'guest', result }))
          : runVerticalHost(common).then((result) => ({ role: 'host', result }));
      }),
    );
    await ctx.send({ psi: run.hello() });
    void finishRun(ctx, run, async (outcome) => {
      const model = outcome.result.model;
      ctx.ledger.storeVerticalModel({
        jobId: run.ref.jobId ?? '',
        role: checked.party.role,
        dataset: checked.party.dataset,
        peerId: checked.peer.participant,
        modelJson: JSON.stringify(model),
        at: Date.now(),
      });
      if (outcome.role === 'host') {
        // The host's part of the model stays here: its TaskDone carries nothing but the count it aligned.
        return { task: run.ref, numExamples: outcome.result.overlap };
      }
      const m = outcome.result.metrics;
      const metrics = Object.entries({
        overlap: outcome.result.overlap,
        auc: m.auc,
        accuracy: m.accuracy,
        logLoss: m.logLoss,
        trainRows: m.trainRows,
        testRows: m.testRows,
      }).map(([name, value]) => ({ name, value }));
      return { task: run.ref, numExamples: outcome.result.overlap, metrics, resultJson: JSON.stringify(model) };
    });
  },
  abandon: abandonRun,
};

/**
 * Identifiers from which the alignment's blinding runs on a worker thread per core (below, the pool's start-up costs
 * more than it saves).
 */
export const ALIGNMENT_WORKERS_FROM = 20_000;

/**
 * Runs `protocol` with a blinder for the alignment: a pool of worker threads on every core for a large table (closed
 * when the protocol ends), this thread for a small one.
 */
export async function withBlinder<T>(
  ids: number,
  protocol: (blinder: AlignmentWorkers | undefined) => Promise<T>,
): Promise<T> {
  if (ids < ALIGNMENT_WORKERS_FROM) return protocol(undefined);
  const pool = await AlignmentWorkers.open();
  try {
    return await protocol(pool);
  } finally {
    await pool.close();
  }
}

/**
 * Logs a run's progress and tells the coordinator (for the analyst's progress line) the phase and, where the detail
 * counts steps ("epoch 2 of 5", "tree 3 of 10"), those two numbers: nothing else of the detail leaves the node. At
 * most one message a second within a phase.
 */
export function progressOf(ctx: TaskContext, task: tessera.v1.ITask) {
  let lastPhase = '';
  let lastAt = 0;
  return (phase: string, detail: string) => {
    const ref = task.ref ?? {};
    ctx.logger.info(
      { participantId: ctx.id, jobId: ref.jobId, stage: stageName(Number(ref.stage)), phase },
      `participant ${ctx.id}: ${stageName(Number(ref.stage))} ${ref.jobId} ${phase}: ${detail}`,
    );
    const now = Date.now();
    if (phase === lastPhase && now - lastAt < 1000) return;
    lastPhase = phase;
    lastAt = now;
    const steps = /\b(\d+) of (\d+)\b/.exec(detail);
    const counts = steps && phase === 'train' ? { done: Number(steps[1]), total: Number(steps[2]) } : {};
    ctx.send({ verticalProgress: { task: ref, phase, ...counts } }).catch(() => undefined);
  };
}

/** Starts a run as the connection's vertical run (stopping any other). */
export function startRun<T>(
  ctx: TaskContext,
  task: tessera.v1.ITask,
  checked: CheckedParties,
  protocol: ConstructorParameters<typeof VerticalRun<T>>[4],
): VerticalRun<T> {
  checkNotBusy(ctx, task);
  const run = new VerticalRun<T>(
    task.ref ?? {},
    checked,
    { id: ctx.id, identitySecretKey: ctx.identitySecretKey },
    (m) => ctx.send({ psi: m }),
    protocol,
    Number(task.deadlineUnixMs ?? 0),
  );
  ctx.connection.vertical = run as VerticalRun;
  return run;
}

/** Waits for the protocol's end and answers with `done`'s TaskDone, or refuses with the reason it stopped. */
export async function finishRun<T>(
  ctx: TaskContext,
  run: VerticalRun<T>,
  done: (outcome: T) => Promise<tessera.v1.ITaskDone>,
): Promise<void> {
  const { checked, ref } = run;
  try {
    const outcome = await run.outcome;
    if (ctx.connection.vertical === (run as VerticalRun)) ctx.connection.vertical = undefined;
    const answer = await done(outcome);
    ctx.logger.info(
      {
        participantId: ctx.id,
        jobId: ref.jobId,
        stage: stageName(Number(ref.stage)),
        rows: answer.numExamples,
        bytesOut: run.link.bytesOut,
        bytesIn: run.link.bytesIn,
      },
      `participant ${ctx.id}: ${stageName(Number(ref.stage))} ${ref.jobId} done as ` +
        `${checked.party.role}: ${answer.numExamples} shared customers; sent ${run.link.bytesOut} bytes, received ` +
        `${run.link.bytesIn}`,
    );
    await ctx.send({ done: answer });
    ctx.emit('done', ref);
  } catch (e) {
    if (ctx.connection.vertical === (run as VerticalRun)) ctx.connection.vertical = undefined;
    if (ctx.connection.closed) return;
    await ctx.refuse(ref, e as Error, undefined, Number(ref.stage)).catch(() => undefined);
  }
}

/** A refused or failed start ends that task's run only: another job's run on this connection goes on. */
export function abandonRun(ctx: TaskContext, task: tessera.v1.ITask): void {
  const run = ctx.connection.vertical;
  if (!run || !sameRef(run.ref, task.ref)) return;
  run.stop('abandoned');
  ctx.connection.vertical = undefined;
}

/**
 * The fewest shared customers this node takes part with: the spec's minOverlap, but never below the owner's
 * overlap.minSetSize (default 100), so that neither a held-out metric nor a score summary is about a handful of people.
 */
export function minSharedOf(ctx: TaskContext, specMinimum: number): number {
  return Math.max(specMinimum, (ctx.overlapPolicy ?? DEFAULT_OVERLAP_POLICY).minSetSize);
}

/** One vertical run at a time per node: a task for another job while one runs is refused (not queued, not swapped). */
export function checkNotBusy(ctx: TaskContext, task: tessera.v1.ITask): void {
  const run = ctx.connection.vertical;
  if (run && !run.link.closed && !sameRef(run.ref, task.ref))
    throw new Error(
      `this node is already running vertical job ${run.ref.jobId}; it takes one vertical run at a time, so run this ` +
        'job when that one has ended',
    );
}

/** The peer's hello and sealed chunks, relayed by the coordinator. */
export function onVerticalPsi(ctx: TaskContext, m: tessera.v1.IPsiPoints): void {
  const run = ctx.connection.vertical;
  if (!run || !sameRef(run.ref, m.task)) {
    ctx.logger.warn(
      { participantId: ctx.id, jobId: m.task?.jobId },
      `participant ${ctx.id}: ignored a vertical message for a run that is not in progress`,
    );
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
