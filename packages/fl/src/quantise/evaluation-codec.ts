import { decodeWideSum, encodeWide, type WideCodec } from './wide-codec.js';

/** One participant's evaluation and last training loss, as example-weighted sums for secure aggregation. */
export interface EvaluationReportInput {
  examples: number;
  loss: number;
  accuracy: number;
  /** NaN when the participant's validation rows hold one class only. */
  auc: number;
  trainExamples: number;
  trainLoss: number;
}

export const EVALUATION_VALUES = 7;

export function encodeEvaluation(r: EvaluationReportInput, codec: WideCodec): Uint32Array {
  const aucKnown = Number.isFinite(r.auc);
  const trained = r.trainExamples > 0 && Number.isFinite(r.trainLoss);
  return encodeWide(
    [
      r.examples,
      r.examples * r.loss,
      r.examples * r.accuracy,
      aucKnown ? r.examples : 0,
      aucKnown ? r.examples * r.auc : 0,
      trained ? r.trainExamples : 0,
      trained ? r.trainExamples * r.trainLoss : 0,
    ],
    codec,
  );
}

/** The summed values in the order encodeEvaluation writes them. */
type EvaluationSums = [
  n: number,
  loss: number,
  accuracy: number,
  nAuc: number,
  auc: number,
  nTrain: number,
  trainLoss: number,
];

/** The example-weighted means of the summed reports (AUC over participants where it is defined). */
export function decodeEvaluationSum(sum: Uint32Array, contributors: number, codec: WideCodec): Record<string, number> {
  const values = decodeWideSum(sum, contributors, codec);
  if (values.length !== EVALUATION_VALUES) {
    throw new RangeError(`an evaluation sum decodes to ${EVALUATION_VALUES} values, got ${values.length}`);
  }
  const [n, loss, accuracy, nAuc, auc, nTrain, trainLoss] = Array.from(values) as EvaluationSums; // length checked
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return {
    loss: ratio(loss, n),
    accuracy: ratio(accuracy, n),
    auc: ratio(auc, nAuc),
    train_loss: ratio(trainLoss, nTrain),
    evaluated_examples: n,
  };
}
