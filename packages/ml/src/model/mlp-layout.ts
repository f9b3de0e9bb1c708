import type { Random } from '@tessera/crypto';
import { checkInteger, checkL2 } from './model-checks.js';
import type { ModelTask } from './model.js';

export type MlpActivation = 'relu';
export type MlpHead = 'sigmoid' | 'softmax' | 'linear';

export interface MlpOptions {
  features: number;
  /** Widths of the 1 to 3 hidden layers. */
  hidden: readonly number[];
  /** Default 'relu' (the only one so far). */
  activation?: MlpActivation;
  /** sigmoid: binary (1 output, log loss); softmax: multiclass (`classes` outputs, cross-entropy); linear:
   * regression (1 output, (y - ŷ)²/2). */
  head: MlpHead;
  /** Output count of the softmax head (>= 2); ignored by the others. */
  classes?: number;
  /** Coefficient of (l2/2)·||W||² over every weight matrix, biases excluded. */
  l2: number;
  /** Inverted dropout rate of the hidden layers' outputs, 0 <= p < 1, applied only when training with an rng. */
  dropout?: number;
}

/**
 * Where each layer lives in the flat parameter vector. Layer l maps widths[l] inputs to widths[l + 1] outputs; its
 * weights are a row-major widths[l + 1] × widths[l] matrix at weightOffset[l] (row o holds output o's weights over
 * the inputs, contiguous), followed by its widths[l + 1] biases at biasOffset[l]. Layers follow one another from
 * the input to the head.
 */
export interface MlpLayout {
  widths: number[];
  weightOffset: number[];
  biasOffset: number[];
  size: number;
  task: ModelTask;
  head: MlpHead;
  outputs: number;
  dropout: number;
  l2: number;
}

const TASK_OF_HEAD: Record<MlpHead, ModelTask> = { sigmoid: 'binary', softmax: 'multiclass', linear: 'regression' };

export function mlpLayout(options: MlpOptions): MlpLayout {
  const { features, hidden, head, l2 } = options;
  checkInteger('features', features, 1);
  if (!Array.isArray(hidden) || hidden.length < 1 || hidden.length > 3) {
    throw new RangeError(`hidden must list 1 to 3 layer widths, got ${JSON.stringify(hidden)}`);
  }
  for (const [i, h] of hidden.entries()) checkInteger(`hidden[${i}]`, h, 1);
  const activation = options.activation ?? 'relu';
  if (activation !== 'relu') throw new RangeError(`activation must be 'relu', got ${JSON.stringify(activation)}`);
  if (!Object.hasOwn(TASK_OF_HEAD, head)) {
    throw new RangeError(`head must be 'sigmoid', 'softmax' or 'linear', got ${JSON.stringify(head)}`);
  }
  let outputs = 1;
  if (head === 'softmax') {
    outputs = options.classes ?? Number.NaN;
    checkInteger('classes', outputs, 2);
  }
  checkL2(l2);
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${dropout}`);
  const widths = [features, ...hidden, outputs];
  const weightOffset: number[] = [];
  const biasOffset: number[] = [];
  let size = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    weightOffset.push(size);
    size += widths[l]! * widths[l + 1]!;
    biasOffset.push(size);
    size += widths[l + 1]!;
  }
  return { widths, weightOffset, biasOffset, size, task: TASK_OF_HEAD[head], head, outputs, dropout, l2 };
}

/** He initialisation: every weight ~ N(0, 2 / fan_in), drawn layer by layer in layout order; biases 0. */
export function mlpInit(layout: MlpLayout, rng: Random): Float64Array {
  const params = new Float64Array(layout.size);
  for (let l = 0; l + 1 < layout.widths.length; l++) {
    const fanIn = layout.widths[l]!;
    const std = Math.sqrt(2 / fanIn);
    const start = layout.weightOffset[l]!;
    const end = layout.biasOffset[l]!;
    for (let i = start; i < end; i++) params[i] = std * rng.gaussian();
  }
  return params;
}
