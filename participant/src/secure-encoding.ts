import {
  encodeEvaluation,
  evaluationCodec,
  encodeFixedPoint,
  encodeUpdate,
  recordSumToRing,
  stochasticRound,
  toRing,
  encodeWide,
  DEFAULT_WIDE,
} from '@tessera/fl';
import { systemRandom } from '@tessera/ml';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { stageName, tessera } from '@tessera/proto';
import type { LocalResult } from './local-compute.js';

const pb = tessera.v1;

/** Training loss of this participant's last fit, reported (securely summed) with the evaluation. */
export interface LastFit {
  examples: number;
  trainLoss: number;
}

/**
 * Turns a local result into ring elements for secure aggregation:
 * statistics exactly (wide fixed point), a model delta clipped, weighted and quantised,
 * evaluation metrics as example-weighted sums.
 */
export function encodeForSecureSum(
  setup: tessera.v1.ISecureSetup,
  result: LocalResult,
  lastFit: LastFit | undefined,
): Uint32Array {
  const modulus = Number(setup.modulus ?? 2 ** 32);
  const wide = { ...DEFAULT_WIDE, modulus };
  switch (setup.computation) {
    case pb.Stage.STATISTICS:
    case pb.Stage.QUERY: {
      if (!result.level)
        return encodeWide(result.vector!, result.fractionBits ? { ...wide, fractionBits: result.fractionBits } : wide);
      const words = encodeFixedPoint(result.vector!, result.level, modulus, systemRandom());
      const noiseVariance = BigInt(setup.noiseVariance ?? 0);
      if (noiseVariance > 0n) addDiscreteGaussianNoise(words, noiseVariance, modulus, systemRandom());
      return words;
    }
    case pb.Stage.FIT: {
      const cap = Number(setup.weightCap ?? 0);
      const weight = cap > 0 ? Math.min(result.numExamples, cap) / cap : 1;
      let words: Uint32Array;
      if (result.integer) words = recordSumToRing(result.vector!, modulus);
      else {
        const encoded = encodeUpdate(
          result.vector!,
          weight,
          {
            bits: Number(setup.bits),
            clip: Number(setup.clip),
            modulus,
            ...(result.uniformWeight ? { uniformWeights: true } : {}),
          },
          systemRandom(),
        );
        words = encoded.words;
        // Adaptive clipping: one more coordinate, (b - 1/2) x scale with b = 1 if the update was not clipped.
        if (result.clipIndicatorScale) {
          const withBit = new Uint32Array(words.length + 1);
          withBit.set(words);
          withBit[words.length] = toRing(
            stochasticRound(((encoded.clipped ? 0 : 1) - 0.5) * result.clipIndicatorScale, systemRandom()),
            modulus,
          );
          words = withBit;
        }
      }
      // Distributed DP: this participant's share of the round's integer noise, added before masking.
      const noiseVariance = BigInt(setup.noiseVariance ?? 0);
      if (noiseVariance > 0n) addDiscreteGaussianNoise(words, noiseVariance, modulus, systemRandom());
      return words;
    }
    case pb.Stage.EVALUATE: {
      if (!result.evaluation) throw new Error('an evaluation reports its metric sums; this one reported none');
      return encodeEvaluation(
        {
          sums: result.evaluation.sums,
          trainExamples: lastFit?.examples ?? 0,
          trainLoss: lastFit?.trainLoss ?? Number.NaN,
        },
        evaluationCodec(result.evaluation.shape, modulus),
        result.evaluation.shape,
      );
    }
    case pb.Stage.RECOMMEND:
    case pb.Stage.CATALOGUE:
    case pb.Stage.VALUATION_COUNT: {
      // Encoded by the recommend step or catalogue round itself (exact wide sums, or the DP level with this node's
      // noise share).
      const words = (result as LocalResult & { words?: Uint32Array }).words;
      if (!words)
        throw new Error(`a ${stageName(setup.computation)} step contributes its encoded vector; this has none`);
      return words;
    }
    default:
      throw new Error(`secure aggregation of stage ${setup.computation} is not defined`);
  }
}
