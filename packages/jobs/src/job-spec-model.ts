// The model section of a training job spec: which model, for which task, with which label classes or range.
import { isObj, JobSpecError, noUnknownKeys, num, show, type Obj } from './job-spec-fields.js';

export type ModelKindName = 'logistic' | 'linear' | 'softmax' | 'mlp' | 'tfjs';
export type TrainingTask = 'binary' | 'multiclass' | 'regression';

/** A job's model as the spec gives it, validated, with the task it implies. */
export interface ModelSection {
  /** The model kind (`kind` in the spec; `type` is its earlier name and still read). */
  type: ModelKindName;
  /** Coefficient of (l2/2)·||weights||², biases excluded. */
  l2: number;
  /** binary (logistic; 0/1 labels), multiclass (softmax; `classes`) or regression (linear; `labelRange`). */
  task: TrainingTask;
  /** mlp: 1 to 3 hidden layer widths. */
  hidden?: number[];
  activation?: 'relu';
  /** mlp: inverted dropout on the hidden layers during local training. */
  dropout?: number;
  /** multiclass: the label's values, in class order (a public domain: a row with another value is an error). */
  classes?: string[];
  /**
   * regression: the label's public range [low, high]; labels are scaled to [-1, 1] for training (clamped outside it)
   * and predictions scaled back.
   */
  labelRange?: [number, number];
  /** tfjs: the LayersModel topology (model.toJSON()), rebuilt by each participant; no user code runs. */
  topology?: unknown;
}

const KINDS: readonly ModelKindName[] = ['logistic', 'linear', 'softmax', 'mlp', 'tfjs'];
const FIELDS = ['kind', 'type', 'l2', 'task', 'hidden', 'activation', 'dropout', 'classes', 'labelRange', 'topology'];
/** A multiclass job has at most this many classes (each is a model output and 3 evaluation sums). */
export const MAX_CLASSES = 100;

/** The task each single-layer kind trains; mlp and tfjs take it from `task`, `classes` or `labelRange`. */
const KIND_TASK: Partial<Record<ModelKindName, TrainingTask>> = {
  logistic: 'binary',
  softmax: 'multiclass',
  linear: 'regression',
};

export function modelSectionOf(input: Obj): ModelSection {
  const v = input.model;
  const m: Obj = v === undefined ? {} : isObj(v) ? v : {};
  if (v !== undefined && !isObj(v))
    throw new JobSpecError('model', `must be an object such as {kind: mlp, hidden: [64, 32]}, got ${show(v)}`);
  noUnknownKeys(m, FIELDS, 'model');
  if (m.kind !== undefined && m.type !== undefined && m.kind !== m.type)
    throw new JobSpecError('model.kind', `and model.type disagree (${show(m.kind)}, ${show(m.type)}); give kind only`);
  const field = m.kind !== undefined ? 'model.kind' : 'model.type';
  const kind = (m.kind ?? m.type ?? 'logistic') as ModelKindName;
  if (!KINDS.includes(kind))
    throw new JobSpecError(field, `must be one of ${KINDS.join(', ')}, got ${show(m.kind ?? m.type)}`);
  const classes = classesOf(m, input.label);
  const labelRange = labelRangeOf(m);
  const task = taskOf(kind, m.task, classes, labelRange);
  const out: ModelSection = { type: kind, l2: num(m, 'l2', 'model.', 1e-4, { min: 0 }), task };
  if (kind === 'mlp') {
    out.hidden = hiddenOf(m.hidden);
    if (m.activation !== undefined && m.activation !== 'relu')
      throw new JobSpecError('model.activation', `must be "relu", got ${show(m.activation)}`);
    out.activation = 'relu';
    out.dropout = num(m, 'dropout', 'model.', 0, { min: 0, max: 0.95 });
  } else {
    for (const f of ['hidden', 'activation', 'dropout'] as const)
      if (m[f] !== undefined) throw new JobSpecError(`model.${f}`, `applies to kind mlp only, not ${kind}`);
  }
  if (kind === 'tfjs') {
    if (!isObj(m.topology))
      throw new JobSpecError('model.topology', 'is required for kind tfjs: the LayersModel topology (model.toJSON())');
    out.topology = m.topology;
  } else if (m.topology !== undefined) {
    throw new JobSpecError('model.topology', `applies to kind tfjs only, not ${kind}`);
  }
  if (task === 'multiclass') {
    if (!classes)
      throw new JobSpecError(
        'model.classes',
        "is required for a multiclass model: list the label's values in class order, e.g. classes: [0, 1, 2]",
      );
    out.classes = classes;
  } else if (classes && classes.length !== 2) {
    throw new JobSpecError(
      'model.classes',
      `lists ${classes.length} classes, but a ${kind} model for a ${task} task ` +
        `${task === 'binary' ? 'predicts 2' : 'predicts a number'}: ` +
        `use kind softmax or mlp for ${classes.length} classes`,
    );
  }
  if (task === 'regression') {
    if (!labelRange)
      throw new JobSpecError(
        'model.labelRange',
        "is required for regression: the label's public range [low, high], e.g. labelRange: [0, 400]",
      );
    out.labelRange = labelRange;
  } else if (labelRange) {
    throw new JobSpecError('model.labelRange', `applies to regression only; this is a ${task} task`);
  }
  return out;
}

function taskOf(
  kind: ModelKindName,
  declared: unknown,
  classes: string[] | undefined,
  labelRange: [number, number] | undefined,
): TrainingTask {
  const implied = KIND_TASK[kind];
  if (declared !== undefined) {
    const task =
      declared === 'classification'
        ? classes && classes.length > 2
          ? 'multiclass'
          : 'binary'
        : (declared as TrainingTask);
    if (!['binary', 'multiclass', 'regression'].includes(task))
      throw new JobSpecError(
        'model.task',
        `must be classification, binary, multiclass or regression, got ${show(declared)}`,
      );
    if (implied && implied !== task)
      throw new JobSpecError('model.task', `is ${task}, but kind ${kind} trains a ${implied} task`);
    return task;
  }
  if (implied) return implied;
  if (labelRange) return 'regression';
  return classes && classes.length > 2 ? 'multiclass' : 'binary';
}

function classesOf(m: Obj, label: unknown): string[] | undefined {
  const v = m.classes;
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length < 2 || v.some((c) => (typeof c !== 'string' && typeof c !== 'number') || c === ''))
    throw new JobSpecError(
      'model.classes',
      `must list at least 2 label values (strings or numbers), got ${show(v)}` +
        (label ? ` for label ${show(label)}` : ''),
    );
  if (v.length > MAX_CLASSES)
    throw new JobSpecError('model.classes', `lists ${v.length} classes; at most ${MAX_CLASSES} are supported`);
  const out = v.map(String);
  const dup = out.find((c, i) => out.indexOf(c) !== i);
  if (dup !== undefined) throw new JobSpecError('model.classes', `lists ${show(dup)} twice; list each value once`);
  return out;
}

function labelRangeOf(m: Obj): [number, number] | undefined {
  const v = m.labelRange;
  if (v === undefined) return undefined;
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    !v.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
    !(v[0] < v[1])
  )
    throw new JobSpecError('model.labelRange', `must be [low, high] with low < high, got ${show(v)}`);
  return [v[0] as number, v[1] as number];
}

function hiddenOf(v: unknown): number[] {
  if (v === undefined) return [64];
  if (!Array.isArray(v) || v.length < 1 || v.length > 3)
    throw new JobSpecError('model.hidden', `must list 1 to 3 hidden layer widths, e.g. [64, 32], got ${show(v)}`);
  v.forEach((h, i) => {
    if (!Number.isInteger(h) || (h as number) < 1 || (h as number) > 4096)
      throw new JobSpecError(`model.hidden[${i}]`, `must be an integer from 1 to 4096, got ${show(h)}`);
  });
  return v as number[];
}
