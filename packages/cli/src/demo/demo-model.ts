// The demo's model: its spec from the target and flags, and its evaluation on encoded, standardised test rows.
import { evaluateModel, modelFromSpec, type Matrix, type Model, type ModelSpec } from '@tessera/ml';
import type { DemoTarget } from './demo-task.js';
import { qualityOf, type Quality } from './quality.js';

/** The model every run of the demo trains (federated, centralised, local-only): kind, hidden layers, L2. */
export function demoModelSpec(target: DemoTarget, o: { hidden?: number[]; l2: number }): ModelSpec {
  if (target.model !== 'mlp') return { kind: target.model, l2: o.l2 };
  return { kind: 'mlp', l2: o.l2, hidden: o.hidden ?? [64] };
}

/** The Model of the spec for data of width `features`. */
export function demoModel(spec: ModelSpec, target: DemoTarget, features: number): Model {
  return modelFromSpec(spec, {
    features,
    task: target.task,
    ...(target.classes ? { classes: target.classes.length } : {}),
  });
}

/** Regression labels as training sees them: (y - mid) / half, clamped to [-1, 1]; other tasks' labels as they are. */
export function trainingLabels(y: Float64Array, target: DemoTarget): Float64Array {
  const r = target.labelRange;
  if (target.task !== 'regression' || !r) return y;
  const mid = (r[0] + r[1]) / 2;
  const half = (r[1] - r[0]) / 2;
  return y.map((v) => Math.max(-1, Math.min(1, (v - mid) / half)));
}

/**
 * The quality of parameters on standardised test rows with their labels as encoded (a regression's in label
 * units: the predictions are scaled back from [-1, 1], so rmse, mae and mse are in the label's units).
 */
export function qualityOn(model: Model, params: Float64Array, z: Matrix, y: Float64Array, t: DemoTarget): Quality {
  const r = t.labelRange;
  if (t.task !== 'regression' || !r) return qualityOf(t.task, evaluateModel(model, params, { ...z, y }));
  const mid = (r[0] + r[1]) / 2;
  const half = (r[1] - r[0]) / 2;
  const inLabelUnits: Model = Object.create(model) as Model;
  inLabelUnits.predict = (p, data) => model.predict(p, data).map((v) => v * half + mid);
  return qualityOf(t.task, evaluateModel(inLabelUnits, params, { ...z, y }));
}
