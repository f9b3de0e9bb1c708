// RECOMMEND: one step of a recommend job (an item update, or the evaluation), only ever summed securely.
import type { RecommendJobSpec } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { itemsFromModelVector, systemRandom } from '@tessera/recommend';
import { keptIdleMs, keptJobKey } from '../kept-jobs.js';
import type { LocalResult } from '../local-compute.js';
import { recommendNoiseOf } from '../privacy/recommend-check.js';
import { taskSpecOf } from '../privacy/task-spec.js';
import { readRecommendTable } from '../recommend/job-table.js';
import { recommendMemoryOf, type RecommendJobState } from '../recommend/recommend-memory.js';
import { encodeStep, evaluationStep, trainStep } from '../recommend/recommend-step.js';
import type { ComputeHandler, TaskContext } from './task-handler.js';

const Phase = tessera.v1.RecommendTask.Phase;

/** A step's result: its vector already in the ring (secure-encoding.ts passes it on as it is). */
export interface RecommendResult {
  words: Uint32Array;
  customers: number;
}

export const recommendTask: ComputeHandler<RecommendResult> = {
  kind: 'compute',
  stage: tessera.v1.Stage.RECOMMEND,
  async compute(ctx, { task, model, checked }) {
    // Admission checked the task against this very spec (a signed recommend spec: recommend-check.ts).
    const parsed = checked?.spec ?? taskSpecOf(task);
    if (parsed?.kind !== 'recommend') throw new Error('a recommend step needs its signed recommend job spec');
    const spec = parsed.spec;
    const step = task.recommend!;
    const round = Number(step.round ?? 0);
    const items = itemsFromModelVector(model ?? new Float64Array(0), spec.catalogue.items.length, spec.model.k);
    const jobId = task.ref?.jobId ?? '';
    const { state, rows } = await jobState(ctx, jobId, task, spec);
    const rng = systemRandom();
    const evaluate = Number(step.phase) === Phase.EVALUATE;
    const values = evaluate ? evaluationStep(spec, items, state, rng) : trainStep(spec, items, state, round, rng);
    const modulus = Number(task.secure?.modulus ?? 2 ** 32);
    const words = encodeStep(spec, values, recommendNoiseOf(task, spec), modulus, rng);
    values.fill(0);
    // The job's last step here: its customers' factors and table are no longer needed.
    const memory = recommendMemoryOf(ctx.memory);
    if (evaluate || (round === spec.rounds && spec.evaluation.holdOut !== 'last')) memory.forget(jobId);
    else memory.keep(jobId, state, keptIdleMs(spec));
    return { result: { words, customers: state.table.data.customerIds.length }, rows };
  },
  // Admission refuses a recommend step outside secure aggregation (its spec's secure.mode is masked or sealed).
  reply: (ctx, active) =>
    ctx.refuse(active.task.ref, 'a recommend step is only ever contributed to a secure sum', active.task),
  secureInput: (r): LocalResult & { words: Uint32Array } => ({ words: r.words, numExamples: 0, metrics: {} }),
};

/** The job's table and factors kept from earlier rounds, or the table read afresh (the job's first step here). */
async function jobState(
  ctx: TaskContext,
  jobId: string,
  task: tessera.v1.ITask,
  spec: RecommendJobSpec,
): Promise<{ state: RecommendJobState; rows: number }> {
  const key = keptJobKey(task);
  const memory = recommendMemoryOf(ctx.memory);
  const kept = memory.get(jobId, key);
  if (kept) return { state: kept, rows: kept.table.rows };
  const table = await readRecommendTable(ctx.data, spec);
  return { state: { key, table }, rows: table.rows };
}
