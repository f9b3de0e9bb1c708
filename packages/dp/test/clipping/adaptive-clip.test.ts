import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import {
  PrivacyParameterError,
  clipIndicator,
  effectiveNoiseMultiplier,
  nextClip,
  updateClipState,
  type AdaptiveClipState,
} from '@tessera/dp';

describe('adaptive clipping (Andrew et al. 2021)', () => {
  it('clipIndicator is 1 iff the norm is at most the clip', () => {
    expect(clipIndicator(1, 1)).toBe(1);
    expect(clipIndicator(1.0000001, 1)).toBe(0);
    expect(clipIndicator(0, 0.1)).toBe(1);
    expect(() => clipIndicator(-1, 1)).toThrow(PrivacyParameterError);
  });

  it('nextClip is the geometric update C·exp(-eta (b̄ - gamma))', () => {
    const state: AdaptiveClipState = { clip: 2, targetQuantile: 0.5, learningRate: 0.2, bitNoiseStd: 0 };
    expect(nextClip(state, 80, 100)).toBeCloseTo(2 * Math.exp(-0.2 * 0.3), 14); // too many unclipped: shrink
    expect(nextClip(state, 20, 100)).toBeCloseTo(2 * Math.exp(0.2 * 0.3), 14); // too many clipped: grow
    expect(nextClip(state, 50, 100)).toBe(2);
  });

  it('with noiseless indicators the clip converges to the target quantile of a fixed norm distribution', () => {
    const rng = seededRandom('adaptive-clip');
    // norms: a fixed log-normal-like population of 1000 clients (quantiles known exactly by sorting)
    const norms = Array.from({ length: 1000 }, () => Math.exp(rng.gaussian()));
    const sorted = [...norms].sort((a, b) => a - b);
    for (const gamma of [0.5, 0.9]) {
      let state: AdaptiveClipState = { clip: 0.01, targetQuantile: gamma, learningRate: 0.2, bitNoiseStd: 0 };
      for (let round = 0; round < 400; round++) {
        const sum = norms.reduce((s, n) => s + clipIndicator(n, state.clip), 0);
        state = updateClipState(state, sum, norms.length);
      }
      const fraction = norms.filter((n) => n <= state.clip).length / norms.length;
      expect(Math.abs(fraction - gamma)).toBeLessThan(0.02);
      const quantile = sorted[Math.round(gamma * norms.length) - 1];
      expect(Math.abs(Math.log(state.clip / quantile))).toBeLessThan(0.05);
    }
  });

  it('effectiveNoiseMultiplier: z_Δ = (z^-2 - (2 sigma_b)^-2)^(-1/2), and the combination recovers z', () => {
    const zDelta = effectiveNoiseMultiplier(1, 5);
    expect(zDelta).toBeCloseTo(1 / Math.sqrt(1 - 1 / 100), 14);
    expect(1 / Math.sqrt(zDelta ** -2 + (2 * 5) ** -2)).toBeCloseTo(1, 14);
    expect(effectiveNoiseMultiplier(0, 0)).toBe(0);
    expect(effectiveNoiseMultiplier(1.1, 1e9)).toBeCloseTo(1.1, 9); // huge bit noise: no extra cost
    expect(() => effectiveNoiseMultiplier(1, 0.5)).toThrow(PrivacyParameterError); // sigma_b must exceed z/2
    expect(() => effectiveNoiseMultiplier(1, 0.4)).toThrow(/too small/);
  });
});
