import { systemRandom } from '@tessera/crypto';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import type { Aggregator, SumRequest, SumResult } from './aggregator.js';

/** The noise of one private release, as JobPrivacy plans it. */
export interface ReleaseNoise {
  /** Distributed and local DP: the discrete Gaussian variance each participant adds to its words. */
  shareVariance: number;
  /** Central DP: the discrete Gaussian variance the coordinator adds to the ring sum (0 otherwise). */
  centralVariance: number;
}

/**
 * Differential privacy around an aggregator, the way Flower wraps a strategy: participants add
 * their noise shares (distributed and local modes) or the coordinator adds discrete Gaussian
 * noise from the CSPRNG to the exact ring sum before anything decodes it (central mode).
 */
export class DpAggregator implements Aggregator {
  constructor(
    private readonly inner: Aggregator,
    private readonly noise: ReleaseNoise,
  ) {}

  get mode() {
    return this.inner.mode;
  }

  sum<T>(q: SumRequest<T>): Promise<SumResult<T>> {
    const { shareVariance, centralVariance } = this.noise;
    const ring = q.decoding.ring;
    return this.inner.sum({
      ...q,
      ...(q.codec ? { codec: { ...q.codec, ...(shareVariance > 0 ? { noiseVariance: shareVariance } : {}) } } : {}),
      decoding: {
        ...q.decoding,
        ...(ring
          ? {
              ring: (words: Uint32Array, survivors: number) => {
                if (centralVariance > 0)
                  addDiscreteGaussianNoise(words, BigInt(Math.ceil(centralVariance)), 2 ** 32, systemRandom());
                return ring(words, survivors);
              },
            }
          : {}),
      },
    });
  }
}

/** Who adds a release's noise in each DP mode: the participants (shares) or, in central mode, the coordinator. */
export function releaseNoise(
  mode: 'central' | 'distributed' | 'local',
  planned: { totalVariance: number; shareVariance: number },
): ReleaseNoise {
  return {
    shareVariance: planned.shareVariance,
    centralVariance: mode === 'central' ? planned.totalVariance : 0,
  };
}
