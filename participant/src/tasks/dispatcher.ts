// The TaskDispatcher: routes a connection's task messages to the handler of each task kind, after admission.
import { tessera } from '@tessera/proto';
import type { Admission } from '../admission.js';
import { computedStage, sameRef } from '../task-ref.js';
import { catalogueTask } from './catalogue.js';
import { evaluateTask } from './evaluate.js';
import { fitTask } from './fit.js';
import { onPsiPoints, overlapTask } from './overlap.js';
import { queryTask } from './query.js';
import { recommendTask } from './recommend.js';
import { saleTask } from './sale.js';
import { schemaTask } from './schema.js';
import { scoreTask } from './score.js';
import {
  onConsistencyCheck,
  onNeighbourKeys,
  onShares,
  onUnmaskRequest,
  prepareSecure,
  startContribution,
} from './secure-aggregation.js';
import { statisticsTask } from './statistics.js';
import { valuateTask } from './valuate.js';
import { valuationCountTask } from './valuation-count.js';
import { onVerticalCancel, onVerticalPsi, verticalTask } from './vertical.js';
import { verticalScoreTask } from './vertical-score.js';
import type { ActiveTask, ComputeHandler, SessionHandler, TaskContext, TaskHandler } from './task-handler.js';

const pb = tessera.v1;

/** Every task kind this node answers, by the stage it computes. */
const KINDS: readonly TaskHandler[] = [
  schemaTask,
  statisticsTask,
  fitTask,
  evaluateTask,
  queryTask,
  scoreTask,
  overlapTask,
  valuateTask,
  verticalTask,
  verticalScoreTask,
  recommendTask,
  catalogueTask,
  valuationCountTask,
];
const HANDLERS: ReadonlyMap<number, TaskHandler> = new Map(KINDS.map((h) => [h.stage, h]));

/** A stage no handler knows: admitted like any other, then refused (as before the split into handlers). */
const unknownStage: ComputeHandler<never> = {
  kind: 'compute',
  stage: pb.Stage.STAGE_UNSPECIFIED,
  compute: (_ctx, { task }) => {
    throw new Error(`unknown stage ${task.ref?.stage}`);
  },
  reply: async () => undefined,
};

/**
 * Maps each message about a task to its handler. A data task (compute kinds) becomes the
 * connection's active task, waits for its model if it has one, then passes admission, computes,
 * records the use and answers; a session kind (overlap, valuate) passes admission and starts its
 * run. No handler reads data before `Admission.admit` returned.
 */
export class TaskDispatcher {
  constructor(private readonly admission: Admission) {}

  async dispatch(ctx: TaskContext, m: tessera.v1.CoordinatorMessage): Promise<void> {
    switch (m.body) {
      case 'task':
        if (ctx.dropsOut(m.task!.ref)) return;
        return this.onTask(ctx, m.task!);
      case 'model':
        return this.onModelChunk(ctx, m.model!);
      case 'cancel': {
        onVerticalCancel(ctx, m.cancel!);
        const active = ctx.connection.active;
        if (active && sameRef(active.task.ref, m.cancel!.task)) {
          active.cancelled = true;
          ctx.connection.active = undefined;
        }
        return;
      }
      case 'grant':
        return ctx.connection.uploads.grant(m.grant!.task);
      case 'neighbourKeys':
        return onNeighbourKeys(ctx, m.neighbourKeys!);
      case 'shares':
        return onShares(ctx, m.shares!);
      case 'consistencyCheck':
        return onConsistencyCheck(ctx, m.consistencyCheck!);
      case 'unmaskRequest':
        return onUnmaskRequest(ctx, m.unmaskRequest!);
      case 'psi':
        if ([pb.Stage.VERTICAL, pb.Stage.VERTICAL_SCORE].includes(Number(m.psi!.task?.stage)))
          return onVerticalPsi(ctx, m.psi!);
        return onPsiPoints(ctx, m.psi!);
      default:
        return;
    }
  }

  /** The handler of a task: a session kind by its stage, else a compute kind by the stage it computes. */
  static handlerOf(task: tessera.v1.ITask): TaskHandler {
    const session = HANDLERS.get(Number(task.ref?.stage));
    if (session?.kind === 'session') return session;
    const compute = HANDLERS.get(computedStage(task));
    return compute?.kind === 'compute' ? compute : unknownStage;
  }

  private async onTask(ctx: TaskContext, received: tessera.v1.ITask): Promise<void> {
    // A sale reads no data: it skips data admission and never waits for the data (tasks/sale.ts).
    if (Number(received.ref?.stage) === pb.Stage.SALE) return saleTask(ctx, received);
    const handler = TaskDispatcher.handlerOf(received);
    if (handler.kind === 'session') return this.startSession(ctx, handler, received);
    const conn = ctx.connection;
    const task = conn.withJobSetup(received);
    // Only a task that needs a library awaits it: until the task is active, its model chunks would be ignored.
    // A task that cannot even be prepared (a model config that does not parse, say) is refused with the reason,
    // rather than left for the coordinator to time out.
    let loading: Promise<unknown>[];
    const length = Number(task.modelLength ?? 0);
    // The coordinator streams the model right after the task: chunks that arrive while the library loads are kept.
    const preparing = { ref: task.ref ?? {}, length, chunks: [] as tessera.v1.IModelChunk[] };
    try {
      loading = [prepareSecure(task), handler.prepare?.(task)].filter((p) => p !== undefined);
      if (loading.length > 0) {
        conn.preparing = preparing;
        await Promise.all(loading);
      }
    } catch (e) {
      if (conn.preparing === preparing) conn.preparing = undefined;
      if (conn.closed) return;
      await ctx.refuse(task.ref, e as Error, task, computedStage(task));
      return;
    }
    if (conn.preparing === preparing) conn.preparing = undefined;
    if (loading.length > 0 && conn.closed) return;
    if (conn.active) conn.active.cancelled = true;
    const active: ActiveTask = {
      task,
      handler,
      received: 0,
      cancelled: false,
      ...(length > 0 ? { model: new Float64Array(length) } : {}),
    };
    conn.active = active;
    ctx.emit('task', task.ref);
    if (!active.model) return this.run(ctx, active);
    for (const chunk of preparing.chunks) await this.onModelChunk(ctx, chunk);
  }

  private async onModelChunk(ctx: TaskContext, m: tessera.v1.IModelChunk): Promise<void> {
    const active = ctx.connection.active;
    const preparing = ctx.connection.preparing;
    if (preparing && sameRef(preparing.ref, m.task) && !(active && sameRef(active.task.ref, m.task))) {
      const kept = preparing.chunks.reduce((n, c) => n + (c.chunk?.values?.length ?? 0), 0);
      // Kept up to one chunk past the model's length, which the active task then refuses as not continuing it.
      if (kept <= preparing.length) preparing.chunks.push(m);
      return;
    }
    if (!active?.model || !sameRef(active.task.ref, m.task)) return;
    const offset = Number(m.chunk?.offset ?? 0);
    const values = m.chunk?.values ?? [];
    if (offset !== active.received || offset + values.length > active.model.length) {
      return this.refuse(
        ctx,
        active,
        `model chunk at offset ${offset} does not continue the ${active.received} values received`,
      );
    }
    active.model.set(values, offset);
    active.received += values.length;
    if (active.received === active.model.length) await this.run(ctx, active);
  }

  /** Admission, then the handler's computation and the record of the use; then the answer. */
  private async run(ctx: TaskContext, active: ActiveTask): Promise<void> {
    const { task, handler } = active;
    const conn = ctx.connection;
    let result: unknown;
    try {
      const stage = computedStage(task);
      // The engine holds every data set's description (columns, rows) that admission's checks read.
      await ctx.dataReady;
      const beforeCharge = handler.beforeCharge ? () => handler.beforeCharge!(ctx, task) : undefined;
      const admission = this.admission.admit(task, stage, beforeCharge);
      active.checked = admission.checked;
      const computed = await handler.compute(ctx, active);
      this.admission.record(admission, computed.rows);
      result = computed.result;
    } catch (e) {
      return this.refuse(ctx, active, e as Error);
    }
    if (active.cancelled || conn.active !== active) return;
    if (task.secure && handler.secureInput) {
      try {
        await startContribution(ctx, active, handler.secureInput(result));
      } catch (e) {
        conn.secure = undefined;
        return this.refuse(ctx, active, e as Error);
      }
      if (conn.active === active) conn.active = undefined;
      return;
    }
    await handler.reply(ctx, active, result);
    if (conn.active === active) conn.active = undefined;
    ctx.emit('done', task.ref);
  }

  private async refuse(ctx: TaskContext, active: ActiveTask, reason: string | Error): Promise<void> {
    if (ctx.connection.active === active) ctx.connection.active = undefined;
    await ctx.refuse(active.task.ref, reason, active.task, computedStage(active.task));
  }

  /** An overlap or valuation run: admitted, then started; a refusal at either step abandons it. */
  private async startSession(ctx: TaskContext, handler: SessionHandler, task: tessera.v1.ITask): Promise<void> {
    try {
      await ctx.dataReady;
      const beforeCharge = handler.beforeCharge ? () => handler.beforeCharge!(ctx, task) : undefined;
      const admission = this.admission.admit(task, handler.stage, beforeCharge);
      await handler.start(ctx, task, (rows) => this.admission.record(admission, rows));
    } catch (e) {
      handler.abandon?.(ctx, task);
      await ctx.refuse(task.ref ?? {}, e as Error, task, handler.stage);
    }
  }
}
