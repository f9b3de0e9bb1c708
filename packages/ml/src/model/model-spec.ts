import { linearModel } from './linear.js';
import { logisticModel } from './logistic.js';
import type { MlpActivation, MlpHead } from './mlp-layout.js';
import { mlpModel } from './mlp.js';
import type { Model, ModelTask } from './model.js';
import { softmaxModel } from './softmax.js';

export type ModelKind = 'logistic' | 'linear' | 'softmax' | 'mlp';

/** A plain JSON description of a built-in model, as a job spec carries it (`model`). */
export interface ModelSpec {
  kind: ModelKind;
  /** Coefficient of (l2/2)·||weights||², biases excluded. Default DEFAULT_MODEL_L2. */
  l2?: number;
  /** mlp only: widths of the 1 to 3 hidden layers. Required for mlp. */
  hidden?: number[];
  /** mlp only: default 'relu'. */
  activation?: MlpActivation;
  /** mlp only: default from the task (binary sigmoid, multiclass softmax, regression linear). */
  head?: MlpHead;
  /** mlp only: inverted dropout rate of the hidden layers in training, 0 <= p < 1. Default 0. */
  dropout?: number;
}

/** What the data gives a model: its encoded input width, task and (multiclass) class count. */
export interface ModelContext {
  features: number;
  task: ModelTask;
  /** The class count of a multiclass task. */
  classes?: number;
}

/** The L2 coefficient when a spec names none (DEFAULT_LOGISTIC's). */
export const DEFAULT_MODEL_L2 = 1e-4;

const KIND_TASK: Record<Exclude<ModelKind, 'mlp'>, ModelTask> = {
  logistic: 'binary',
  linear: 'regression',
  softmax: 'multiclass',
};
const HEAD_TASK: Record<MlpHead, ModelTask> = { sigmoid: 'binary', softmax: 'multiclass', linear: 'regression' };
const MLP_FIELDS = ['hidden', 'activation', 'head', 'dropout'] as const;
const TASKS: readonly ModelTask[] = ['binary', 'multiclass', 'regression'];

/** The single-layer model of a task: logistic (binary), softmax (multiclass) or linear (regression). */
export function defaultModelSpec(task: ModelTask): ModelSpec {
  if (task === 'binary') return { kind: 'logistic' };
  if (task === 'multiclass') return { kind: 'softmax' };
  return { kind: 'linear' };
}

function checkContext(ctx: ModelContext): void {
  if (!(Number.isInteger(ctx.features) && ctx.features >= 1)) {
    throw new RangeError(`the data must have at least one feature, got ${ctx.features}`);
  }
  if (!TASKS.includes(ctx.task)) throw new RangeError(`task must be one of ${TASKS.join(', ')}, got ${ctx.task}`);
  if (ctx.task === 'multiclass' && !(Number.isInteger(ctx.classes) && ctx.classes! >= 2)) {
    throw new RangeError(`a multiclass task needs classes >= 2, got ${ctx.classes}`);
  }
}

/** Throws an error naming the field unless every field of the spec is valid for its kind and the task. */
export function checkModelSpec(spec: ModelSpec, task: ModelTask): void {
  if (typeof spec !== 'object' || spec === null) throw new RangeError(`model must be an object, got ${spec}`);
  const kinds = ['logistic', 'linear', 'softmax', 'mlp'];
  if (!kinds.includes(spec.kind)) {
    throw new RangeError(`model.kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(spec.kind)}`);
  }
  if (spec.l2 !== undefined && !(typeof spec.l2 === 'number' && Number.isFinite(spec.l2) && spec.l2 >= 0)) {
    throw new RangeError(`model.l2 must be a finite number >= 0, got ${JSON.stringify(spec.l2)}`);
  }
  if (spec.kind !== 'mlp') {
    for (const field of MLP_FIELDS) {
      if (spec[field] !== undefined)
        throw new RangeError(`model.${field} applies to kind 'mlp' only, not '${spec.kind}'`);
    }
    const needs = KIND_TASK[spec.kind];
    if (needs !== task) throw new RangeError(`model.kind '${spec.kind}' needs a ${needs} task, this one is ${task}`);
    return;
  }
  const { hidden, activation, head, dropout } = spec;
  if (!Array.isArray(hidden) || hidden.length < 1 || hidden.length > 3) {
    throw new RangeError(`model.hidden must list 1 to 3 hidden layer widths, got ${JSON.stringify(hidden)}`);
  }
  hidden.forEach((h, i) => {
    if (!(Number.isInteger(h) && h >= 1)) {
      throw new RangeError(`model.hidden[${i}] must be a positive integer, got ${JSON.stringify(h)}`);
    }
  });
  if (activation !== undefined && activation !== 'relu') {
    throw new RangeError(`model.activation must be 'relu', got ${JSON.stringify(activation)}`);
  }
  if (head !== undefined) {
    if (!Object.hasOwn(HEAD_TASK, head)) {
      throw new RangeError(`model.head must be 'sigmoid', 'softmax' or 'linear', got ${JSON.stringify(head)}`);
    }
    if (HEAD_TASK[head] !== task) {
      throw new RangeError(`model.head '${head}' needs a ${HEAD_TASK[head]} task, this one is ${task}`);
    }
  }
  if (dropout !== undefined && !(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) {
    throw new RangeError(`model.dropout must be in [0, 1), got ${JSON.stringify(dropout)}`);
  }
}

/** The head an mlp gets for a task when its spec names none. */
export function defaultHead(task: ModelTask): MlpHead {
  return task === 'binary' ? 'sigmoid' : task === 'multiclass' ? 'softmax' : 'linear';
}

/** The Model a spec describes, for data of the given width, task and classes; throws naming the bad field. */
export function modelFromSpec(spec: ModelSpec, ctx: ModelContext): Model {
  checkContext(ctx);
  checkModelSpec(spec, ctx.task);
  const { features } = ctx;
  const l2 = spec.l2 ?? DEFAULT_MODEL_L2;
  switch (spec.kind) {
    case 'logistic':
      return logisticModel({ features, l2 });
    case 'linear':
      return linearModel({ features, l2 });
    case 'softmax':
      return softmaxModel({ features, classes: ctx.classes!, l2 }); // checkContext: multiclass has classes
    case 'mlp':
      return mlpModel({
        features,
        hidden: spec.hidden!, // checkModelSpec: an mlp has hidden
        activation: spec.activation ?? 'relu',
        head: spec.head ?? defaultHead(ctx.task),
        ...(ctx.task === 'multiclass' ? { classes: ctx.classes! } : {}),
        l2,
        dropout: spec.dropout ?? 0,
      });
  }
}

/** The length of the parameter vector of the model a spec describes. */
export function modelSize(spec: ModelSpec, ctx: ModelContext): number {
  return modelFromSpec(spec, ctx).size;
}
