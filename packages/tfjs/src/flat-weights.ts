import { tf, type LayersModel } from './tfjs.js';

/** Where one weight tensor of a LayersModel lives in the flat parameter vector. */
export interface WeightSlot {
  name: string;
  shape: number[];
  offset: number;
  length: number;
  trainable: boolean;
}

/** The model's weights (model.weights, the order of getWeights and setWeights) laid end to end. */
export function weightSlots(model: LayersModel): WeightSlot[] {
  let offset = 0;
  return model.weights.map((w) => {
    const shape = w.shape.map((s) => {
      if (typeof s !== 'number')
        throw new RangeError(`weight ${w.name} has an unknown dimension: build the model first`);
      return s;
    });
    const length = shape.reduce((a, b) => a * b, 1);
    const slot = { name: w.name, shape, offset, length, trainable: w.trainable };
    offset += length;
    return slot;
  });
}

export const flatSize = (slots: readonly WeightSlot[]) => slots.reduce((s, w) => s + w.length, 0);

/** Every weight tensor of the model, flattened in order into one Float64Array (float32 values widened). */
export function readParams(model: LayersModel, slots: readonly WeightSlot[]): Float64Array {
  const out = new Float64Array(flatSize(slots));
  // getWeights returns the model's own variables (not copies): read them, never dispose them.
  model.getWeights().forEach((t, i) => {
    out.set(t.dataSync() as Float32Array, slots[i]!.offset); // getWeights has one tensor per slot
  });
  return out;
}

/** Writes the flat vector back with model.setWeights (values narrowed to float32); creates no lasting tensor. */
export function writeParams(model: LayersModel, slots: readonly WeightSlot[], params: Float64Array): void {
  tf.tidy(() => {
    model.setWeights(
      slots.map((s) => tf.tensor(Float32Array.from(params.subarray(s.offset, s.offset + s.length)), s.shape)),
    );
  });
}
