// What the demo trains: the task (from --task, the model, or the label's values) and a model kind that fits it.
import { binaryLabel, numberValue } from '@tessera/data';
import { UsageError } from '../ui/errors.js';

export type DemoTask = 'binary' | 'multiclass' | 'regression';
export type DemoModelKind = 'logistic' | 'linear' | 'softmax' | 'mlp';
export const DEMO_MODEL_KINDS: readonly DemoModelKind[] = ['logistic', 'linear', 'softmax', 'mlp'];

/** A numeric label with at most this many distinct integer values is read as classes, not as a number. */
export const MAX_INTEGER_CLASSES = 20;
/** A classification label has at most this many classes (the job spec's limit). */
export const MAX_DEMO_CLASSES = 100;

/** The task, and for it the label's classes (multiclass, in class order) or its range (regression). */
export interface DemoTarget {
  task: DemoTask;
  model: DemoModelKind;
  /** multiclass: the label's values, sorted numerically when they are numbers, else as text. */
  classes?: string[];
  /** regression: [min, max] of the label over the whole table. */
  labelRange?: [number, number];
}

/** What --task, --model and the label's values say, checked against each other. */
export interface TaskChoice {
  label: string;
  /** The label column's cells, every row. */
  cells: string[];
  task?: 'classification' | 'regression';
  model?: DemoModelKind;
}

interface LabelProfile {
  binary: boolean;
  /** Every cell is a number. */
  numeric: boolean;
  /** Distinct values as text, one per value (numbers compared as numbers). */
  distinct: Map<string, number | undefined>;
  integers: boolean;
}

function profileLabel(cells: string[]): LabelProfile {
  let binary = true;
  let numeric = true;
  let integers = true;
  const byNumber = new Map<number, string>();
  const byText = new Map<string, number | undefined>();
  for (const cell of cells) {
    if (binaryLabel(cell) === undefined) binary = false;
    const text = cell.trim();
    const n = numberValue(text);
    if (n === undefined) {
      numeric = false;
      if (!byText.has(text)) byText.set(text, undefined);
      continue;
    }
    if (!Number.isInteger(n)) integers = false;
    if (!byNumber.has(n)) byNumber.set(n, text);
  }
  const distinct = new Map<string, number | undefined>(byText);
  for (const [n, text] of byNumber) if (!distinct.has(text)) distinct.set(text, n);
  return { binary, numeric, integers: numeric && integers, distinct };
}

/** The label's classes: numbers in numeric order when every value is a number, else text in code-unit order. */
function classesOf(p: LabelProfile): string[] {
  const entries = [...p.distinct.entries()];
  if (p.numeric) return entries.sort((a, b) => a[1]! - b[1]!).map(([text]) => text); // numeric: every value has one
  return entries.map(([text]) => text).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const MODEL_TASK: Record<Exclude<DemoModelKind, 'mlp'>, DemoTask> = {
  logistic: 'binary',
  softmax: 'multiclass',
  linear: 'regression',
};
const MODEL_FOR: Record<DemoTask, DemoModelKind> = { binary: 'logistic', multiclass: 'softmax', regression: 'linear' };

/**
 * The demo's task and model. --task wins; without it --model linear means regression; otherwise the label decides:
 * all values binary spellings (0/1, yes/no, true/false) -> binary; numbers with at most 20 distinct integer values ->
 * classification; other numbers -> regression; text -> classification. Classification with more than 2 values (or 2
 * values that are not binary spellings) is multiclass. An inconsistent choice is a UsageError saying why and the fix.
 */
export function resolveTarget(c: TaskChoice): DemoTarget {
  const p = profileLabel(c.cells);
  const wanted: 'classification' | 'regression' =
    c.task ??
    (c.model === 'linear'
      ? 'regression'
      : p.binary
        ? 'classification'
        : p.numeric && !(p.integers && p.distinct.size <= MAX_INTEGER_CLASSES)
          ? 'regression'
          : 'classification');
  let target: DemoTarget;
  if (wanted === 'regression') {
    if (!p.numeric) {
      const text = [...p.distinct.keys()].find((t) => numberValue(t) === undefined);
      throw new UsageError(
        `label ${c.label} holds text (e.g. ${JSON.stringify(text)}), and a regression predicts a number: ` +
          'use --task classification, or a numeric --label',
      );
    }
    const values = c.cells.map((cell) => numberValue(cell)!); // numeric: every cell is a number
    const low = Math.min(...values);
    const high = Math.max(...values);
    if (!(low < high))
      throw new UsageError(`label ${c.label} has the one value ${low} in every row: there is nothing to predict`);
    target = { task: 'regression', model: c.model ?? 'linear', labelRange: [low, high] };
  } else if (p.binary && new Set(c.cells.map((cell) => binaryLabel(cell))).size === 2) {
    target = { task: 'binary', model: c.model ?? 'logistic' };
  } else {
    const classes = classesOf(p);
    if (classes.length < 2)
      throw new UsageError(
        `label ${c.label} has the one value ${JSON.stringify(classes[0])}: there is nothing to learn`,
      );
    if (classes.length > MAX_DEMO_CLASSES)
      throw new UsageError(
        `label ${c.label} has ${classes.length} distinct values, more than the ${MAX_DEMO_CLASSES} classes a model ` +
          `can have: ${p.numeric ? 'use --task regression to predict it as a number' : 'choose another --label'}`,
      );
    target = { task: 'multiclass', model: c.model ?? 'softmax', classes };
  }
  refuseMismatch(c, target, p.distinct.size);
  return target;
}

function refuseMismatch(c: TaskChoice, t: DemoTarget, distinct: number): void {
  if (t.model === 'mlp') return;
  const needs = MODEL_TASK[t.model];
  if (needs === t.task) return;
  const fits = `--model ${MODEL_FOR[t.task]} or --model mlp`;
  const what =
    t.task === 'multiclass'
      ? `label ${c.label} has ${t.classes!.length} classes` // multiclass targets carry their classes
      : t.task === 'binary'
        ? `label ${c.label} is binary`
        : `label ${c.label} is a number to predict (${distinct} distinct values; regression)`;
  const model =
    needs === 'binary'
      ? `${t.model} is binary`
      : needs === 'multiclass'
        ? `${t.model} is multiclass`
        : `${t.model} is regression`;
  // A task read from the label's values can be overridden.
  const hint = c.task === undefined && t.task === 'regression' ? ', or --task classification' : '';
  throw new UsageError(`${what}; ${model}: use ${fits}${hint}`);
}
