import { auc } from '../auc.js';
import type { LabeledData } from '../matrix.js';
import { checkInteger } from './model-checks.js';
import type { Model, ModelTask } from './model.js';

/** Probabilities are clamped to [1e-12, 1] before the log in the log losses, as logLoss does. */
const EPS = 1e-12;

/**
 * How many sums metricSums returns: binary 5 [n, Σ log loss, correct, nAuc, nAuc·auc]; regression 5 [n, SSE,
 * Σ|error|, Σy, Σy²]; multiclass 3 + 3K [n, Σ log loss, correct, TP_0..K-1, FP_0..K-1, FN_0..K-1].
 */
export function metricSumsLength(task: ModelTask, outputs: number): number {
  if (task === 'binary' || task === 'regression') return 5;
  if (task === 'multiclass') {
    checkInteger('outputs', outputs, 2);
    return 3 + 3 * outputs;
  }
  throw new RangeError(`task must be 'binary', 'multiclass' or 'regression', got ${JSON.stringify(task)}`);
}

/**
 * The model's evaluation on `data` as sums, so that the sums of participants with disjoint rows (added up, under
 * secure aggregation for instance) decode with metricsFromSums to the metrics of all their rows together. Every
 * entry is a count or a sum of finite values. The one exception to "the union's metric": AUC is not a sum over
 * rows, so a participant contributes nAuc·auc with nAuc = its n when it has both classes (0 otherwise) and the
 * decoded auc is the n-weighted mean of the participants' AUCs.
 */
export function metricSums(model: Model, params: Float64Array, data: LabeledData): Float64Array {
  const p = model.predict(params, data);
  const { n, y } = data;
  const k = model.outputs;
  const sums = new Float64Array(metricSumsLength(model.task, k));
  sums[0] = n;
  if (model.task === 'binary') {
    let loss = 0;
    let correct = 0;
    let positives = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i]!; // predict returns n × 1 values
      const yi = y[i]! > 0.5 ? 1 : 0;
      loss -= yi === 1 ? Math.log(Math.max(EPS, pi)) : Math.log(Math.max(EPS, 1 - pi));
      if ((pi >= 0.5 ? 1 : 0) === yi) correct++;
      positives += yi;
    }
    const nAuc = positives > 0 && positives < n ? n : 0;
    sums.set([loss, correct, nAuc, nAuc > 0 ? nAuc * auc(y, p) : 0], 1);
  } else if (model.task === 'regression') {
    let sse = 0;
    let sae = 0;
    let sy = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      const yi = y[i]!;
      const e = p[i]! - yi;
      sse += e * e;
      sae += Math.abs(e);
      sy += yi;
      syy += yi * yi;
    }
    sums.set([sse, sae, sy, syy], 1);
  } else {
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const label = y[i]!;
      if (!(Number.isInteger(label) && label >= 0 && label < k)) {
        throw new RangeError(`row ${i} has label ${label}, expected a class index 0..${k - 1}`);
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c; // first maximum wins ties
      loss -= Math.log(Math.max(EPS, p[i * k + label]!));
      if (best === label) {
        correct++;
        sums[3 + label]! += 1;
      } else {
        sums[3 + k + best]! += 1;
        sums[3 + 2 * k + label]! += 1;
      }
    }
    sums[1] = loss;
    sums[2] = correct;
  }
  return sums;
}

/**
 * Decodes metric sums. binary: {loss (mean log loss), accuracy, auc (NaN when nAuc = 0), n}. regression:
 * {loss = MSE/2 (the training loss of linearModel and the linear head, without penalty), mse, rmse, mae, r2 =
 * 1 - SSE/SST with SST = Σy² - (Σy)²/n (NaN when SST is 0 up to rounding), n}. multiclass: {loss = logLoss
 * (mean cross-entropy), accuracy, macroF1, n}; macroF1 averages 2TP/(2TP+FP+FN) over the classes that occur
 * among the labels or the predictions (2TP+FP+FN > 0), which is scikit-learn's f1_score(average='macro') without
 * a `labels` argument; a class absent from both would otherwise count as 0 or 1 arbitrarily. With n = 0 every
 * metric is NaN.
 */
export function metricsFromSums(task: ModelTask, outputs: number, sums: Float64Array): Record<string, number> {
  const length = metricSumsLength(task, outputs);
  if (sums.length !== length)
    throw new RangeError(`${task} metric sums have length ${sums.length}, expected ${length}`);
  const n = sums[0]!;
  if (task === 'binary') {
    const nAuc = sums[3]!;
    return { loss: sums[1]! / n, accuracy: sums[2]! / n, auc: nAuc > 0 ? sums[4]! / nAuc : Number.NaN, n };
  }
  if (task === 'regression') {
    const sse = sums[1]!;
    const sy = sums[3]!;
    const syy = sums[4]!;
    const mse = sse / n;
    // SST below rounding level of Σy² counts as 0: constant labels have no variance to explain.
    const sst = syy - (sy * sy) / n;
    const r2 = sst > 1e-12 * syy ? 1 - sse / sst : Number.NaN;
    // An SST that underflows to a subnormal makes SSE/SST overflow: that is SST = 0 as well.
    const finiteR2 = Number.isFinite(r2) ? r2 : Number.NaN;
    return { loss: mse / 2, mse, rmse: Math.sqrt(mse), mae: sums[2]! / n, r2: finiteR2, n };
  }
  let f1Sum = 0;
  let present = 0;
  for (let c = 0; c < outputs; c++) {
    const tp = sums[3 + c]!;
    const denominator = 2 * tp + sums[3 + outputs + c]! + sums[3 + 2 * outputs + c]!;
    if (denominator > 0) {
      f1Sum += (2 * tp) / denominator;
      present++;
    }
  }
  const logLoss = sums[1]! / n;
  return { loss: logLoss, logLoss, accuracy: sums[2]! / n, macroF1: present > 0 ? f1Sum / present : Number.NaN, n };
}

/** The model's metrics on `data` (see metricsFromSums). */
export function evaluateModel(model: Model, params: Float64Array, data: LabeledData): Record<string, number> {
  return metricsFromSums(model.task, model.outputs, metricSums(model, params, data));
}

/**
 * A regression's metrics computed on labels scaled as (y - mid) / half, in the label's own units: errors times half,
 * squared errors and losses times half²; R² does not change. Sums over scaled labels stay small (|y'| is about 1),
 * so they fit secure aggregation's fixed point whatever the label's range.
 */
export function regressionMetricsInLabelUnits(metrics: Record<string, number>, half: number): Record<string, number> {
  const out = { ...metrics };
  for (const key of ['rmse', 'mae'] as const) if (out[key] !== undefined) out[key] = out[key]! * half;
  for (const key of ['mse', 'loss', 'train_loss'] as const)
    if (out[key] !== undefined) out[key] = out[key]! * half * half;
  return out;
}
