// The demo's measure of a model on the held-out test split: the metrics of its task.
import type { DemoTask } from './demo-task.js';

/**
 * A model's quality on the held-out test split. binary: auc, accuracy, logLoss (as before there were other tasks);
 * multiclass: accuracy, macroF1, logLoss; regression (in label units): rmse, mae, r2, mse. auc, accuracy and logLoss
 * are always present and NaN when the task has no such metric (auc outside binary; all three for regression), so
 * `--json` keeps its fields (null there).
 */
export interface Quality {
  auc: number;
  accuracy: number;
  logLoss: number;
  macroF1?: number;
  rmse?: number;
  mae?: number;
  r2?: number;
  mse?: number;
}

/** The Quality of metrics as evaluateModel reports them (regression already in label units). */
export function qualityOf(task: DemoTask, m: Record<string, number>): Quality {
  const at = (k: string) => m[k] ?? Number.NaN;
  if (task === 'binary') return { auc: at('auc'), accuracy: at('accuracy'), logLoss: at('loss') };
  if (task === 'multiclass')
    return { auc: Number.NaN, accuracy: at('accuracy'), logLoss: at('logLoss'), macroF1: at('macroF1') };
  return {
    auc: Number.NaN,
    accuracy: Number.NaN,
    logLoss: Number.NaN,
    rmse: at('rmse'),
    mae: at('mae'),
    r2: at('r2'),
    mse: at('mse'),
  };
}

const OPTIONAL = ['macroF1', 'rmse', 'mae', 'r2', 'mse'] as const;

/** The mean of each metric over the models (the mean of the local-only models). */
export function meanQuality(qs: Quality[]): Quality {
  const mean = (f: (q: Quality) => number) => qs.reduce((s, q) => s + f(q), 0) / qs.length;
  const out: Quality = { auc: mean((q) => q.auc), accuracy: mean((q) => q.accuracy), logLoss: mean((q) => q.logLoss) };
  for (const k of OPTIONAL) if (qs[0]?.[k] !== undefined) out[k] = mean((q) => q[k] ?? Number.NaN);
  return out;
}

/** The task's headline metric: binary AUC, multiclass accuracy, regression R². */
export function headline(task: DemoTask): { name: string; of: (q: Quality) => number } {
  if (task === 'binary') return { name: 'AUC', of: (q) => q.auc };
  if (task === 'multiclass') return { name: 'accuracy', of: (q) => q.accuracy };
  return { name: 'R²', of: (q) => q.r2 ?? Number.NaN };
}
