// The plain answer shared by statistics, fit, evaluate and query: the vector uploaded in chunks, then done.
import type { LocalResult } from '../local-compute.js';
import type { ActiveTask, TaskContext } from './task-handler.js';

/**
 * Answers a task with its local result in the clear: a result with a vector is offered for upload
 * (chunks, then TaskDone with the metrics, once granted); one without sends TaskDone at once.
 * A task cancelled meanwhile sends nothing more.
 */
export async function replyWithResult(ctx: TaskContext, active: ActiveTask, result: LocalResult): Promise<void> {
  const ref = active.task.ref!;
  const done = {
    task: ref,
    numExamples: result.numExamples,
    metrics: Object.entries(result.metrics).map(([name, value]) => ({ name, value: Number(value) })),
  };
  const cancelled = () => active.cancelled;
  if (result.vector) {
    await ctx.connection.uploads.offer({
      send: ctx.send,
      ref,
      upload: { kind: 'update', values: result.vector },
      done,
      cancelled,
    });
  } else if (!cancelled()) {
    await ctx.send({ done });
  }
}

/** The handlers whose results are LocalResults can be securely summed as they are. */
export const asSecureInput = (result: LocalResult): LocalResult => result;
