// Vertical LR time per epoch at 10^4 aligned rows (guest 10 features and the label, one host with 20), for the
// benchmarks page; VLR_BENCH_ROWS=100000 measures 10^5 directly.
import { describe, expect, it } from 'vitest';
import { seededRandom, type LabeledData, type Matrix } from '@tessera/ml';
import { trainVerticalLogistic } from '@tessera/vertical';

function synthetic(rows: number): { guest: LabeledData; host: Matrix } {
  const rng = seededRandom('vlr-bench');
  const guest = { x: new Float64Array(rows * 10), n: rows, d: 10, y: new Float64Array(rows) };
  const host = { x: new Float64Array(rows * 20), n: rows, d: 20 };
  for (let i = 0; i < rows; i++) {
    let u = 0;
    for (let k = 0; k < 10; k++) u += (guest.x[i * 10 + k] = rng.gaussian()) * (k % 3 === 0 ? 1 : 0);
    for (let j = 0; j < 20; j++) u += (host.x[i * 20 + j] = rng.gaussian()) * (j % 4 === 0 ? 0.5 : 0);
    guest.y[i] = rng.float() < 1 / (1 + Math.exp(-u)) ? 1 : 0;
  }
  return { guest, host };
}

describe('vertical LR time per epoch', () => {
  const rows = Number(process.env.VLR_BENCH_ROWS ?? 10_000);
  for (const batchSize of [1024, 8192]) {
    it(`${rows} rows, batch ${batchSize}`, async () => {
      const { guest, host } = synthetic(rows);
      const schedule = { epochs: 1, batchSize, learningRate: 0.5, l2: 0, shuffleSeed: 'bench' };
      let bytes = 0;
      const result = await trainVerticalLogistic({
        guest,
        hosts: [host],
        schedule,
        observe: (_, m) => {
          for (const v of Object.values(m))
            if (Array.isArray(v)) for (const c of v) if (c instanceof Uint8Array) bytes += c.length;
        },
      });
      console.log(
        `vertical LR, ${rows} rows, batch ${batchSize}: ${(result.seconds - result.setupSeconds).toFixed(1)} s ` +
          `per epoch (${result.steps} steps; setup ${result.setupSeconds.toFixed(1)} s once), ` +
          `${(bytes / 2 ** 20).toFixed(0)} MiB of ciphertexts`,
      );
      expect(result.hostWeights[0]![0]!).toBeGreaterThan(0.05); // it learnt the host's first informative feature
    }, 600_000);
  }
});
