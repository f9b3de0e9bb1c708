import { metricSumsLength, metricsFromSums, type ModelTask } from '@tessera/ml';
import { decodeWideSum, DEFAULT_WIDE, encodeWide, type WideCodec } from './wide-codec.js';

/**
 * One participant's evaluation and last training loss, as sums for secure aggregation: the model's metric sums
 * (@tessera/ml metricSums: counts and sums over its validation rows, so the participants' sums decode to the
 * metrics of all their rows) and its last fit's example count and example-weighted training loss.
 */
export interface EvaluationReportInput {
  /** metricSums of the model on the participant's validation rows. */
  sums: ArrayLike<number>;
  trainExamples: number;
  trainLoss: number;
}

/** What the evaluation sums describe: the model's task and output count (classes of a multiclass model). */
export interface EvaluationShape {
  task: ModelTask;
  outputs: number;
}

/** The binary shape, the only one before there were other tasks. */
export const BINARY_EVALUATION: EvaluationShape = Object.freeze({ task: 'binary', outputs: 1 });

/**
 * The fixed point of an evaluation's sums: 16 fraction bits for classification (counts and log losses), 32 for a
 * regression, whose sums are over the label scaled to about [-1, 1] and whose squared errors can be small (a value
 * may then reach 2^31 per participant: 2^31 rows of a label at the range's edge).
 */
export function evaluationCodec(shape: EvaluationShape, modulus = DEFAULT_WIDE.modulus): WideCodec {
  return { fractionBits: shape.task === 'regression' ? 32 : DEFAULT_WIDE.fractionBits, modulus };
}

/** Values in one evaluation vector: the metric sums, then the training examples and their summed loss. */
export function evaluationValues(shape: EvaluationShape): number {
  return metricSumsLength(shape.task, shape.outputs) + 2;
}

/** The binary vector's length (loss, accuracy and AUC sums, then the training loss). */
export const EVALUATION_VALUES = evaluationValues(BINARY_EVALUATION);

export function encodeEvaluation(r: EvaluationReportInput, codec: WideCodec, shape = BINARY_EVALUATION): Uint32Array {
  const length = metricSumsLength(shape.task, shape.outputs);
  if (r.sums.length !== length)
    throw new RangeError(`a ${shape.task} evaluation has ${length} metric sums, this one ${r.sums.length}`);
  const trained = r.trainExamples > 0 && Number.isFinite(r.trainLoss);
  return encodeWide(
    [...Array.from(r.sums), trained ? r.trainExamples : 0, trained ? r.trainExamples * r.trainLoss : 0],
    codec,
  );
}

/** The task's metrics of all the summed reports, the mean training loss and the evaluated example count. */
export function decodeEvaluationSum(
  sum: Uint32Array,
  contributors: number,
  codec: WideCodec,
  shape = BINARY_EVALUATION,
): Record<string, number> {
  const values = decodeWideSum(sum, contributors, codec);
  const expected = evaluationValues(shape);
  if (values.length !== expected) {
    throw new RangeError(`a ${shape.task} evaluation sum decodes to ${expected} values, got ${values.length}`);
  }
  const length = expected - 2;
  const { n, ...metrics } = metricsFromSums(shape.task, shape.outputs, values.subarray(0, length));
  const nTrain = values[length]!;
  const trainLoss = values[length + 1]!;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return { ...metrics, train_loss: ratio(trainLoss, nTrain), evaluated_examples: n ?? Number.NaN };
}
