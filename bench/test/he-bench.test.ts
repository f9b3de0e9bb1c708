import { describe, expect, it } from 'vitest';
import { measureHe } from '../src/he/he-bench.js';

describe('he benchmark (bench workspace)', () => {
  it('measures BFV against Paillier on a small vector', async () => {
    const dimension = Number(process.env.HE_BENCH_DIM ?? 5000);
    const r = await measureHe({
      participants: Number(process.env.HE_BENCH_PARTICIPANTS ?? 4),
      dimension,
      paillierSample: Number(process.env.HE_BENCH_PAILLIER ?? 6),
    });
    if (process.env.HE_BENCH_PRINT) console.log(JSON.stringify(r, null, 2));
    expect(r.bytesPerValueMasked).toBe(4);
    expect(r.polyModulusDegree).toBe(4096);
    expect(r.bfvEncryptUsPerValue).toBeGreaterThan(0);
    // Speed targets live in the benchmark (npm run bench), not here: only that every figure was measured.
    for (const v of [r.paillierEncryptUsPerValue, r.bfvAddUsPerValue, r.bfvDecryptUsPerValue, r.speedup])
      expect(v).toBeGreaterThan(0);
    expect(r.bytesPerValueSealed).toBeGreaterThan(4);
  });
});
