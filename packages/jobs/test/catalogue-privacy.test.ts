import { describe, expect, it } from 'vitest';
import { jobEpsilon } from '@tessera/fl';
import { seededRandom } from '@tessera/ml';
import {
  CATALOGUE_SYMBOLS,
  catalogueNoise,
  catalogueNoiseStd,
  catalogueThreshold,
  decodeCatalogueSum,
  encodeCatalogueCounts,
  JobSpecError,
  parseCatalogueSpec,
} from '../src/index.js';

const spec = (change: Record<string, unknown> = {}) =>
  parseCatalogueSpec({ name: 'items', kind: 'catalogue', dataset: 'orders', ...change });

describe('catalogue privacy', () => {
  it('calibrates z for maxLength + 1 releases of sensitivity sqrt(maxItemsPerCustomer) within the spec epsilon', () => {
    for (const epsilon of [1, 8]) {
      const s = spec({ privacy: { epsilon }, maxLength: 10, maxItemsPerCustomer: 3 });
      const noise = catalogueNoise(s, 5);
      expect(noise.releases).toBe(11);
      expect(noise.sensitivity).toBeCloseTo(Math.sqrt(3), 12);
      const spent = jobEpsilon(
        { noiseMultiplier: noise.noiseMultiplier, sampleRate: 1, rounds: 0, fullReleases: 11 },
        1e-6,
      );
      expect(spent).toBeLessThanOrEqual(epsilon * (1 + 1e-9));
      expect(spent).toBeGreaterThan(epsilon * 0.999);
      expect(noise.epsilon).toBeCloseTo(spent, 12);
      // Every honest survivor set carries at least the target variance (z x level x sensitivity)^2.
      const honest = noise.minSurvivors - Math.floor(0.1 * 5 + 1e-9);
      expect(noise.shareVariance * honest).toBeGreaterThanOrEqual(noise.totalVariance);
      expect(noise.totalVariance).toBeCloseTo((noise.noiseMultiplier * noise.level * noise.sensitivity) ** 2, 3);
    }
    // More releases, more noise.
    expect(catalogueNoise(spec({ maxLength: 40 }), 5).noiseMultiplier).toBeGreaterThan(
      catalogueNoise(spec({ maxLength: 10 }), 5).noiseMultiplier,
    );
  });

  it('sets the default threshold where a lone customer clears it with probability below 1e-9, at least 2', () => {
    const s = spec();
    const noise = catalogueNoise(s, 4);
    const sigma = catalogueNoiseStd(noise, 4);
    expect(catalogueThreshold(s, noise, 4)).toBeCloseTo(1 + 6 * sigma, 9);
    expect(catalogueThreshold(spec({ threshold: 300 }), noise, 4)).toBe(300);
    // Tiny noise still keeps the floor of 2.
    const quiet = { ...noise, shareVariance: 4, level: 1024 };
    expect(catalogueThreshold(s, quiet, 2)).toBe(2);
  });

  it('encodes whole counts with a noise share and decodes the sum within the noise', () => {
    const s = spec({ privacy: { epsilon: 8, maxCustomers: 500 }, maxLength: 4, maxItemsPerCustomer: 2 });
    const noise = catalogueNoise(s, 3);
    const rng = seededRandom('catalogue-privacy');
    const length = 2 * CATALOGUE_SYMBOLS;
    const parts = [0, 1, 2].map((p) => Array.from({ length }, (_, i) => (i * 7 + p * 13) % 50));
    const sum = new Uint32Array(length);
    for (const part of parts) {
      const words = encodeCatalogueCounts(part, noise, 500, 2 ** 32, rng);
      for (let i = 0; i < length; i++) sum[i] = (sum[i]! + words[i]!) >>> 0;
    }
    const decoded = decodeCatalogueSum(sum, noise, 3, 2 ** 32);
    const sigma = catalogueNoiseStd(noise, 3);
    let squares = 0;
    for (let i = 0; i < length; i++) {
      const truth = parts[0]![i]! + parts[1]![i]! + parts[2]![i]!;
      squares += (decoded[i]! - truth) ** 2;
    }
    // The empirical noise standard deviation is the announced one (514 draws: within 15%).
    expect(Math.sqrt(squares / length) / sigma).toBeGreaterThan(0.85);
    expect(Math.sqrt(squares / length) / sigma).toBeLessThan(1.15);
    expect(() => decodeCatalogueSum(sum, noise, noise.minSurvivors - 1, 2 ** 32)).toThrow(/at least \d+ must/);
    expect(() => encodeCatalogueCounts([501], noise, 500, 2 ** 32, rng)).toThrow(/maxCustomers 500/);
    expect(() => encodeCatalogueCounts([1.5], noise, 500, 2 ** 32, rng)).toThrow(/whole number/);
  });

  it('refuses a federation whose customers do not fit the ring, naming privacy.maxCustomers', () => {
    expect(() => catalogueNoise(spec({ privacy: { maxCustomers: 1e8 } }), 200)).toThrow(JobSpecError);
    expect(() => catalogueNoise(spec({ privacy: { maxCustomers: 1e8 } }), 200)).toThrow(/privacy\.maxCustomers/);
  });
});
