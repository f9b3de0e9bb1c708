import type { Random } from '@tessera/crypto';
import type { LabeledData, Matrix } from '../matrix.js';

/**
 * What a model learns to predict. binary: y is 0 or 1; multiclass: y is a class index 0..classes-1;
 * regression: y is a real number.
 */
export type ModelTask = 'binary' | 'multiclass' | 'regression';

/** The local optimiser of one participant's training (SGD, or Adam with its moments reset every round). */
export type LocalOptimiser = 'sgd' | 'adam';

/** Settings of one participant's local training in one round. */
export interface LocalTraining {
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Default 'sgd'. */
  optimiser?: LocalOptimiser;
  /** FedProx (Li et al. 2020): adds (mu/2)·||w - anchor||² to the local loss; needs `anchor`. Default 0. */
  proximalMu?: number;
  /** The global parameters the round started from (FedProx's anchor). */
  anchor?: Float64Array;
}

/** The outcome of local training: new parameters (the input is left untouched). */
export interface LocalTrainingResult {
  params: Float64Array;
  /** Mean batch loss over the last epoch, penalties included (NaN when no step was taken). */
  meanLoss: number;
  steps: number;
}

/**
 * A model whose parameters are one flat vector: what secure aggregation sums, what a delta is, what a
 * model file stores. Implementations are stateless: every method takes the parameters.
 * Data is standardised features (row-major) with one label per row in the task's encoding.
 */
export interface Model {
  /** 'logistic' | 'linear' | 'softmax' | 'mlp' | 'tfjs' (or a developer's own). */
  readonly kind: string;
  readonly task: ModelTask;
  /** Input width d (encoded features). */
  readonly features: number;
  /** 1 for binary and regression, the class count for multiclass. */
  readonly outputs: number;
  /** Length of the parameter vector. */
  readonly size: number;
  /** Starting parameters: zeros for the linear models, He initialisation for hidden layers (drawn from rng). */
  init(rng: Random): Float64Array;
  /**
   * Mean loss over rows[start, end) of data plus the model's penalties (L2), and its gradient written into
   * `gradient` (length size). `rng`, when given, turns training-only randomness on (dropout).
   */
  lossAndGradient(
    params: Float64Array,
    data: LabeledData,
    rows: ArrayLike<number>,
    start: number,
    end: number,
    gradient: Float64Array,
    rng?: Random,
  ): number;
  /**
   * Calls visit with each row's own loss gradient (no penalty, no dropout: what record-level DP clips); the buffer
   * is reused between calls. Returns the mean loss over the rows (NaN when there are none).
   */
  forEachExampleGradient(
    params: Float64Array,
    data: LabeledData,
    visit: (gradient: Float64Array, row: number) => void,
  ): number;
  /**
   * Predictions, row-major n × outputs: P(y = 1) (binary), class probabilities (multiclass) or the value (regression).
   */
  predict(params: Float64Array, data: Matrix): Float64Array;
  /**
   * Indices of the parameters the L2 penalty leaves alone (the biases); absent: the last one only, as in the linear
   * models. Record-level DP applies the penalty's gradient after the noisy sum, so it must know them.
   */
  biasIndices?(): number[];
  /**
   * Optional local training of the model's own (a tfjs model's `fit`); when absent, trainModel runs mini-batch SGD or
   * Adam over lossAndGradient.
   */
  fitLocal?(params: Float64Array, data: LabeledData, cfg: LocalTraining, rng: Random): LocalTrainingResult;
}
