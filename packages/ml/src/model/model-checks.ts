import { checkLabeled, type LabeledData } from '../matrix.js';
import type { Model } from './model.js';

/** Throws unless `value` is an integer >= min; `field` names it in the message. */
export function checkInteger(field: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min))
    throw new RangeError(`${field} must be an integer >= ${min}, got ${value}`);
}

/** Throws unless the L2 coefficient is finite and >= 0. */
export function checkL2(l2: number): void {
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new RangeError(`l2 must be finite and >= 0, got ${l2}`);
}

/** Throws unless `params` has the model's size. */
export function checkParams(model: Model, params: Float64Array): void {
  if (params.length !== model.size) {
    throw new RangeError(`${model.kind} model parameters have length ${params.length}, expected ${model.size}`);
  }
}

/** The checks every lossAndGradient call makes before its allocation-free loop. */
export function checkBatch(
  model: Model,
  params: Float64Array,
  data: LabeledData,
  rows: ArrayLike<number>,
  start: number,
  end: number,
  gradient: Float64Array,
): void {
  checkParams(model, params);
  checkFeatures(model, data.d);
  if (gradient.length !== model.size) {
    throw new RangeError(`gradient buffer has length ${gradient.length}, expected the model size ${model.size}`);
  }
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= rows.length)) {
    throw new RangeError(`a batch needs 0 <= start < end <= rows.length (${rows.length}), got [${start}, ${end})`);
  }
  checkLabeled(data);
}

/** Throws unless the data has the model's input width. */
export function checkFeatures(model: Model, d: number): void {
  if (d !== model.features) {
    throw new RangeError(`data has ${d} features, the ${model.kind} model expects ${model.features}`);
  }
}

/** Throws unless a multiclass label is a class index. Cheap enough for the inner loop (once per row). */
export function checkClass(label: number, classes: number, row: number): void {
  if (!(Number.isInteger(label) && label >= 0 && label < classes)) {
    throw new RangeError(`row ${row} has label ${label}, expected a class index 0..${classes - 1}`);
  }
}

/** Throws unless a binary label is 0 or 1. */
export function checkBinary(label: number, row: number): void {
  if (label !== 0 && label !== 1) throw new RangeError(`row ${row} has label ${label}, expected 0 or 1`);
}
