// Private encrypted scoring: segment totals carry the stated noise, through the real encode-noise-encrypt-decrypt path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { systemRandom } from '@tessera/crypto';
import { join } from 'node:path';
import { foldedModel, loadSeal, ScoringAnalyst } from '@tessera/he';
import { encodedFeaturesOf, parseScoreSpec, scoreNoise } from '@tessera/jobs';
import { columnProfileToProto, type tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { LocalData } from '../src/local-data.js';
import { scoreSegments } from '../src/score-compute.js';
import { NoisySegmentSums } from '../src/score-noise.js';

const SEGMENTS = Array.from({ length: 32 }, (_, i) => `s${i}`);
const RUNS = 2;

describe('noised encrypted scoring: the decrypted totals carry the noise the spec states', () => {
  const tmp = tempDir('tessera-score-noise-');
  // Three rows per segment with small integer features (norm below the clip: no clipping, exact fixed point).
  const rows = SEGMENTS.flatMap((s, i) => [0, 1, 2].map((k) => [s, String((i + k) % 5), String(k + 1)]));
  const path = join(tmp.dir, 'customers.csv');
  writeFileSync(path, `segment,visits,basket\n${rows.map((r) => r.join(',')).join('\n')}\n`);
  const data = new LocalData({ customers: { type: 'csv', path, exclude: [] } });
  const weights = [0.8, -1.5, 0.25]; // visits, basket, bias
  const spec = parseScoreSpec({
    kind: 'score',
    dataset: 'customers',
    label: 'churned',
    features: [
      { name: 'visits', kind: 'numeric' },
      { name: 'basket', kind: 'numeric' },
    ],
    segmentBy: 'segment',
    segments: SEGMENTS,
    privacy: { mode: 'distributed', epsilon: 1, delta: 1e-6, clip: 10 },
    minParticipants: 3,
  });
  let analyst: ScoringAnalyst;
  let task: tessera.v1.ITask;

  beforeAll(async () => {
    await loadSeal();
    analyst = ScoringAnalyst.create({ weights });
    const r = analyst.request;
    task = {
      ref: { jobId: 'job-1', round: 1, stage: 9 },
      dataset: 'customers',
      label: 'churned',
      features: spec.features.map((f) => columnProfileToProto(f)),
      segmentBy: 'segment',
      segments: SEGMENTS,
      scoring: {
        paramsJson: JSON.stringify(r.params),
        publicKey: r.publicKey,
        galoisKeys: r.galoisKeys,
        encryptedModel: r.encryptedModel,
        features: r.features,
        span: r.span,
      },
    };
  });
  afterAll(() => tmp.cleanup());

  it("has the standard deviation of this node's share on every segment's count and total " +
    '(empirical over 64 encrypted segment releases, within 30%: about 3.4 standard errors)', () => {
    const noise = scoreNoise(spec.privacy!, spec.minParticipants, encodedFeaturesOf(spec));
    // The share: sigma^2 / (m - c) with m = 3 answers, c = 0 colluders, in integer units of 1 / scale.
    expect(noise.shareVariance).toBe(Math.ceil((noise.sigma * noise.sigma) / 3));
    expect(noise.scale).toBe(2 ** 12);
    expect(noise.countWeight).toBe(40_960);
    const countStd = noise.countStd(1);
    // Each feature sum's noise enters the total through its weight, the count's through the bias.
    const folded = foldedModel({ weights });
    const totalStd = Math.hypot(noise.featureStd(1) * Math.hypot(folded[0]!, folded[1]!), countStd * folded[2]!);
    const countErrors: number[] = [];
    const totalErrors: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { segments, noised } = scoreSegments(data, task, spec);
      expect(noised).toBe(true);
      segments.forEach((c, i) => {
        expect(c.suppressed).toBe(false);
        const exact = rows.filter((r) => r[0] === SEGMENTS[i]);
        const exactTotal = exact.reduce((t, r) => t + weights[0] * +r[1] + weights[1] * +r[2] + weights[2], 0);
        const d = analyst.decrypt(c);
        countErrors.push(d.count - exact.length);
        totalErrors.push(d.total - exactTotal);
      });
    }
    const std = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(countErrors).toHaveLength(RUNS * SEGMENTS.length);
    // The stated sigma: 3.4 rows on each count per node here (epsilon 1, clip 10, a third of the variance each).
    expect(countStd).toBeCloseTo(3.45, 2);
    expect(Math.abs(std(countErrors) / countStd - 1)).toBeLessThan(0.3);
    expect(Math.abs(std(totalErrors) / totalStd - 1)).toBeLessThan(0.3);
    // Centred: the mean error is within 4 standard errors of 0.
    expect(Math.abs(mean(countErrors))).toBeLessThan((4 * countStd) / Math.sqrt(countErrors.length));
  }, 60_000);

  it('draws integer noise of the share variance on every coordinate (20 000 draws, within 3%)', () => {
    const noise = scoreNoise(spec.privacy!, spec.minParticipants, encodedFeaturesOf(spec));
    const sums = new NoisySegmentSums(SEGMENTS.length, 2, spec.privacy!.clip, noise);
    // One row of norm 13 (clipped to 10) in segment 0: (round(4096 * 10 * 5/13), round(4096 * 10 * 12/13), 40960).
    sums.add(0, Float64Array.of(5, 12), 0);
    const exact = [Math.round((4096 * 50) / 13), Math.round((4096 * 120) / 13), noise.countWeight];
    const errors: number[] = [];
    while (errors.length < 20_000) {
      for (const [i, seg] of sums.release(systemRandom()).entries()) {
        for (const [j, v] of [...seg.sum, seg.count].entries()) {
          // The noisy integer, back from its division by the scale (exact: a power of two) or the count weight.
          const integer = j < 2 ? v * noise.scale : Math.round(v * noise.countWeight);
          if (j === 2) expect(Math.abs(v * noise.countWeight - integer)).toBeLessThan(1e-6);
          expect(Number.isInteger(integer)).toBe(true);
          errors.push(integer - (i === 0 ? exact[j]! : 0));
        }
      }
    }
    const std = Math.sqrt(errors.reduce((t, e) => t + e * e, 0) / errors.length);
    expect(Math.abs(std / Math.sqrt(noise.shareVariance) - 1)).toBeLessThan(0.03);
  });

  it('uses no noise and suppresses a segment below the minimum without privacy (exact totals)', () => {
    const exact = { ...spec, privacy: undefined };
    const { segments, noised } = scoreSegments(data, task, exact, {
      minSegmentRows: 4,
      identifierColumns: [],
      allowIdentifierSegments: false,
    });
    expect(noised).toBe(false);
    for (const c of segments) {
      expect(c.suppressed).toBe(true);
      expect(Math.abs(analyst.decrypt(c).count)).toBeLessThan(1e-3);
      // The flag the analyst decrypts (slot 1 of the count ciphertext): the coordinator gets no plaintext one.
      expect(analyst.decrypt(c).suppressedBy).toBe(1);
    }
    const open = scoreSegments(data, task, exact, {
      minSegmentRows: 3,
      identifierColumns: [],
      allowIdentifierSegments: false,
    });
    expect(open.segments.every((c) => !c.suppressed)).toBe(true);
    expect(open.segments.map((c) => analyst.decrypt(c).suppressedBy)).toEqual(open.segments.map(() => 0));
    expect(analyst.decrypt(open.segments[0]!).count).toBeCloseTo(3, 3);
  });
});
