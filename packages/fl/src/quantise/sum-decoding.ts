import type { SummedUpdates } from '../strategy.js';
import { decodeRecordSum, type RecordCodec } from './record-codec.js';
import { decodeUpdateSum, type UpdateCodec } from './update-codec.js';

/**
 * How the ring sum of a FIT round becomes a strategy's input. The coordinator applies it in
 * masked mode; in sealed mode it travels with the encrypted aggregate and the analyst applies it.
 * - update: weighted deltas with the weight coordinate last; `uniformWeights` (participant-level
 *   DP, whose participants send that coordinate as 0 so it costs no sensitivity) divides by the
 *   public survivor count instead of the summed weights.
 * - record: DP-FedSGD, one full-batch step of -learningRate x (mean clipped gradient + l2 x
 *   weights), the mean dividing by the noisy record count.
 */
export type SumDecoding =
  | { kind: 'update'; codec: UpdateCodec; uniformWeights: boolean }
  | {
      kind: 'record';
      codec: RecordCodec;
      learningRate: number;
      l2: number;
      /** Parameters without the L2 penalty (the model's biases); absent: the last one (the linear models' bias). */
      biasIndices?: number[];
    };

export function summedUpdatesFrom(
  sum: Uint32Array,
  how: SumDecoding,
  global: Float64Array,
  survivors: number,
): SummedUpdates {
  if (how.kind === 'record') {
    const { gradientSum, count } = decodeRecordSum(sum, how.codec);
    if (gradientSum.length !== global.length) {
      const sizes = `${gradientSum.length} gradient values, the global model has ${global.length}`;
      throw new RangeError(`the record sum decodes to ${sizes}`);
    }
    const n = Math.max(1, count);
    const weightedSum = new Float64Array(gradientSum.length);
    const free = new Uint8Array(gradientSum.length);
    for (const j of how.biasIndices ?? [gradientSum.length - 1]) free[j] = 1; // the biases: no l2 penalty
    // gradientSum, global and weightedSum have equal lengths (checked above).
    for (let j = 0; j < gradientSum.length; j++) {
      weightedSum[j] = -how.learningRate * (gradientSum[j]! + (free[j] ? 0 : n * how.l2 * global[j]!));
    }
    return { weightedSum, totalWeight: n, contributors: survivors };
  }
  const decoded = decodeUpdateSum(sum, how.codec);
  return {
    weightedSum: decoded.weightedSum,
    totalWeight: how.uniformWeights ? survivors : decoded.totalWeight,
    contributors: survivors,
  };
}
