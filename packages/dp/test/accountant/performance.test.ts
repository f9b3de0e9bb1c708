import { describe, expect, it } from 'vitest';
import { RdpAccountant } from '../../src/accountant/index.js';

describe('performance (measured, not asserted)', () => {
  it('epsilon for 10^4 steps over the default grid', () => {
    const run = (sigma: number) => new RdpAccountant().spendSubsampledGaussian(sigma, 0.01, 10_000).epsilon(1e-5);
    const t0 = performance.now();
    const cold = run(1.1);
    const t1 = performance.now();
    const N = 20;
    for (let i = 0; i < N; i++) run(1.1 + i * 1e-3);
    const t2 = performance.now();
    console.log(
      `[accountant perf] 10^4 subsampled-Gaussian steps + epsilon over DEFAULT_ORDERS: cold ${(t1 - t0).toFixed(2)} ms, warm mean ${((t2 - t1) / N).toFixed(2)} ms (eps=${cold.epsilon.toFixed(4)} at order ${cold.order})`,
    );
    expect(cold.epsilon).toBeGreaterThan(0);
  });
});
