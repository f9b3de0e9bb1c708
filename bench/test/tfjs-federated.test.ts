// The tfjs-federated benchmark (npm run bench tfjs-federated) at its quick size: a tfjs LayersModel and the built-in
// MLP of the same shape both train federated through the SDK and are scored on held-out digits.
import { describe, expect, it } from 'vitest';
import { renderTfjsFederated, runTfjsFederated, TFJS_FEDERATED_QUICK } from '../src/ml/tfjs-federated.js';

describe('tfjs-federated benchmark (bench workspace)', () => {
  it('trains both models on every seed and scores them on the held-out rows', async () => {
    const r = await runTfjsFederated(() => {}, TFJS_FEDERATED_QUICK, 'test');
    expect(r.testRows).toBe(359);
    expect(r.runs.map((x) => x.kind)).toEqual(['tfjs', 'mlp']);
    for (const run of r.runs) {
      // Ten classes: chance is 0.1; two rounds of a small network learn well beyond it.
      expect(run.testAccuracy, run.kind).toBeGreaterThan(0.3);
      expect(run.lastRoundAccuracy, run.kind).toBeGreaterThan(0.3);
    }
    expect(r.summaries.map((s) => s.kind)).toEqual(['tfjs', 'mlp']);
    expect(renderTfjsFederated(r)).toMatch(/within noise: (yes|NO)/);
  });
});
