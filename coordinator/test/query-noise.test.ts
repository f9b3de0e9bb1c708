import { describe, expect, it } from 'vitest';
import { decodeResult, evaluateLocally, parseQuery, planQuery, runPooled } from '@tessera/analytics';
import { seededRandom } from '@tessera/crypto';
import { generateCommerce, type RawTable } from '@tessera/data';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { encodeFixedPoint } from '@tessera/fl';
import { decodeNoisySum, queryNoise } from '../src/jobs/kinds/query/query-runner.js';

/**
 * The private query path end to end without the network: each participant encodes its normalised
 * vector in fixed point and adds its discrete Gaussian share (as participants do), the shares are
 * summed in the ring (SecAgg's masks cancel exactly, so they are left out), and the coordinator
 * decodes. Over many repetitions the errors must have the reported standard deviation and the 95%
 * intervals must cover the truth about 95% of the time.
 *
 * The noise comes from seededRandom (an AES-256-CTR keystream; production draws the same samplers
 * from systemRandom()), so the 2000 errors are the same on every run: the test checks the
 * calibration and cannot flake. Any seed passes with the 4-sigma margins below.
 */
describe('private query noise: the stated standard deviation and 95% coverage over repetitions', () => {
  it('distributed DP with 6 participants and threshold 4, 400 repetitions', () => {
    const table = generateCommerce({ merchants: 6, customersPerMerchant: 300, seed: 'noise' });
    const m = table.columns.indexOf('merchant');
    const merchants = [...new Set(table.rows.map((r) => r[m]))];
    const shards: RawTable[] = merchants.map((name) => ({ ...table, rows: table.rows.filter((r) => r[m] === name) }));
    const sql = 'SELECT region, COUNT(*), SUM(returns) AS returns, AVG(avg_basket) FROM customers GROUP BY region';
    const plan = planQuery(parseQuery(sql), {
      bounds: { returns: [0, 50], avg_basket: [0, 1000] },
      domains: { region: ['north', 'south', 'east', 'west', 'central'] },
      minCount: 0,
    });
    const truth = runPooled(plan, [table]);
    const noise = queryNoise(plan, { mode: 'distributed', epsilon: 1, delta: 1e-6 }, shards.length)!;
    const normalised = shards.map((s) => evaluateLocally(plan, s).map((v, i) => v / plan.scale[i]));
    const rng = seededRandom('query-noise/coverage/1');
    const keys = ['COUNT(*)', 'returns'];
    const z: Record<string, number[]> = { 'COUNT(*)': [], returns: [] };
    const reps = 400;
    for (let rep = 0; rep < reps; rep++) {
      const sum = new Uint32Array(plan.length);
      for (const v of normalised) {
        const words = encodeFixedPoint(v, noise.level, 2 ** 32, rng);
        addDiscreteGaussianNoise(words, BigInt(noise.shareVariance), 2 ** 32, rng);
        for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + words[i]) >>> 0;
      }
      const { values, noiseStd } = decodeNoisySum(plan, sum, noise, 'distributed', shards.length);
      const result = decodeResult(plan, values, noiseStd);
      for (const [g, row] of result.rows.entries()) {
        const want = truth.rows.find((t) => t.region === row.region) ?? truth.rows[g];
        for (const k of keys) z[k].push(((row[k] as number) - (want[k] as number)) / row.stddev[k]);
      }
    }
    for (const k of keys) {
      const n = z[k].length;
      const mean = z[k].reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(z[k].reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      const covered = z[k].filter((x) => Math.abs(x) <= 1.96).length / n;
      // 2000 standardised errors: their sd is 1 within about 3.5%, coverage 0.95 within about 1.5% (4 sigma margins).
      expect(Math.abs(sd - 1), `${k}: standardised error sd ${sd}`).toBeLessThan(0.07);
      expect(Math.abs(mean), `${k}: mean ${mean}`).toBeLessThan(0.1);
      expect(Math.abs(covered - 0.95), `${k}: coverage ${covered}`).toBeLessThan(0.02);
    }
  });
});
