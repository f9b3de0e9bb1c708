// The model a training task trains, its local settings and its label scaling, read from the task (whose model and
// settings the privacy check has already compared with the analyst-signed spec).
import type { LabelTarget } from '@tessera/data';
import type { ConfigValue } from '@tessera/fl';
import { modelFromSpec, type LocalTraining, type Model, type ModelSpec, type ModelTask } from '@tessera/ml';
import { fromModelConfig, fromStrategyConfig, type tessera, type WireModel } from '@tessera/proto';

export type TaskModel = WireModel & { optimiser: string };

export function taskModelOf(task: tessera.v1.ITask): TaskModel {
  return fromModelConfig(task.training?.model);
}

/** What the label holds, for encoding: binary unless the task's model says otherwise. */
export function labelTargetOf(m: TaskModel): LabelTarget {
  if (m.task === 'multiclass') return { task: 'multiclass', classes: m.classes ?? [] };
  if (m.task === 'regression') return { task: 'regression' };
  return { task: 'binary' };
}

/**
 * Regression labels train on [-1, 1]: (y - mid) / half over the public label range, clamped, so that one record's
 * gradient is bounded like a classifier's and the same clip and learning rates serve every task.
 */
export interface LabelScale {
  mid: number;
  half: number;
}

export function labelScaleOf(m: TaskModel): LabelScale | undefined {
  if (m.task !== 'regression' || !m.labelRange) return undefined;
  const [low, high] = m.labelRange;
  return { mid: (low + high) / 2, half: (high - low) / 2 };
}

export function scaleLabels(y: Float64Array, s: LabelScale): Float64Array {
  return y.map((v) => Math.min(1, Math.max(-1, (v - s.mid) / s.half)));
}

/** Built tfjs models by topology and shape: rebuilding one takes an asynchronous load (see prepareTaskModel). */
const tfjsModels = new Map<string, Model | Error>();
const TFJS_CACHE = 4;

const tfjsKey = (m: TaskModel, features: number) =>
  JSON.stringify([m.topology, m.task, m.classes?.length ?? 0, features]);

/**
 * Builds a tfjs task's model ahead of the computation (rebuilding a LayersModel from its topology is asynchronous);
 * the other kinds need nothing (undefined). Only tfjs's own layer classes are accepted, so no code from the job runs.
 * A topology that cannot be built is remembered, and the task is refused with the reason when it computes.
 */
export function prepareTaskModel(task: tessera.v1.ITask, features: number): Promise<void> | undefined {
  const m = taskModelOf(task);
  if (m.type !== 'tfjs') return undefined;
  const key = tfjsKey(m, features);
  if (tfjsModels.has(key)) return undefined;
  return buildTfjs(m, features).then((built) => {
    if (tfjsModels.size >= TFJS_CACHE) tfjsModels.delete(tfjsModels.keys().next().value!);
    tfjsModels.set(key, built);
  });
}

async function buildTfjs(m: TaskModel, features: number): Promise<Model | Error> {
  try {
    const { tfjsModelFromTopology } = await import('@tessera/tfjs');
    const { model } = await tfjsModelFromTopology(m.topology as never, {
      task: m.task as ModelTask,
      ...(m.classes ? { classes: m.classes.length } : {}),
    });
    if (model.features !== features)
      return new Error(
        `the job's tfjs model takes ${model.features} inputs but the agreed features encode to ${features}; ` +
          'the analyst must fit the model to the features (model.topology)',
      );
    return model;
  } catch (e) {
    return new Error(`the job's tfjs model cannot be built: ${(e as Error).message}`);
  }
}

/** The task's model for `features` encoded inputs; throws naming the mismatch. */
export function modelOfTask(task: tessera.v1.ITask, features: number): Model {
  const m = taskModelOf(task);
  if (m.type === 'tfjs') {
    const model = tfjsModels.get(tfjsKey(m, features));
    if (!model) throw new Error('the tfjs model of this task was not prepared (prepareTaskModel)');
    if (model instanceof Error) throw model;
    return model;
  }
  const spec: ModelSpec = {
    kind: m.type as ModelSpec['kind'],
    l2: Number(task.training?.l2 ?? 1e-4),
    ...(m.hidden ? { hidden: m.hidden } : {}),
    ...(m.activation ? { activation: m.activation as 'relu' } : {}),
    ...(m.dropout ? { dropout: m.dropout } : {}),
  };
  return modelFromSpec(spec, {
    features,
    task: m.task as ModelTask,
    ...(m.classes ? { classes: m.classes.length } : {}),
  });
}

/** The round's local training: the job's settings, overridden by what the strategy sends for the round. */
export function localTrainingOf(task: tessera.v1.ITask, global: Float64Array): LocalTraining {
  const training = task.training;
  const round: Record<string, ConfigValue> = fromStrategyConfig(training?.strategyConfig);
  const num = (key: string, fallback: number) => {
    const v = round[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw new TypeError(`fit config '${key}' must be a number, got ${typeof v}`);
    return v;
  };
  const mu = num('proximalMu', 0);
  return {
    epochs: num('epochs', Number(training?.epochs ?? 1)),
    batchSize: num('batchSize', Number(training?.batchSize ?? 32)),
    learningRate: num('learningRate', Number(training?.learningRate ?? 0.1)),
    optimiser: taskModelOf(task).optimiser === 'adam' ? 'adam' : 'sgd',
    ...(mu > 0 ? { proximalMu: mu, anchor: global } : {}),
  };
}
