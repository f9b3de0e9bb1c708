// The demo's --seed claim, as the help states it: the same seed gives the same model in plaintext; masked rounding
// draws fresh randomness, so masked runs agree to the rounding's size only. And with --drop, every participant of a
// round is accounted for: contributors + dropped + absent = participants.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { demoOptions } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';
import { demoReport } from '../src/demo/print-demo.js';

const breastCancer = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

const base = demoOptions({
  rounds: 4,
  seed: 11,
  learningRate: 0.1,
  data: breastCancer,
  label: 'benign',
  split: 'iid',
});

describe('tessera demo --seed', () => {
  it('the same seed gives the same model with --secure none, and masked runs agree to the rounding', async () => {
    const a = await runDemo({ ...base, secure: 'none' });
    const b = await runDemo({ ...base, secure: 'none' });
    // Updates are summed in arrival order: equal up to floating-point reassociation.
    for (const [k, v] of Object.entries(a.federated))
      expect(b.federated[k as keyof typeof a.federated], k).toBeCloseTo(v, 12);
    b.history.forEach((h, i) => expect(h.trainLoss).toBeCloseTo(a.history[i]!.trainLoss!, 12));
    const m = await runDemo({ ...base, secure: 'masked' });
    expect(Math.abs(m.federated.auc - a.federated.auc)).toBeLessThan(1e-3);
    const c = await runDemo({ ...base, secure: 'none', seed: 12 });
    expect(Math.abs(c.federated.logLoss - a.federated.logLoss)).toBeGreaterThan(1e-6);
  });

  it('--drop: contributors + dropped + absent add up to the participants each round, as the table says', async () => {
    const r = await runDemo({ ...base, participants: 5, rounds: 5, secure: 'masked', drop: 0.4 });
    for (const h of r.history) expect(h.contributors + h.dropped + h.absent, `round ${h.round}`).toBe(5);
    expect(r.history.some((h) => h.dropped > 0)).toBe(true);
    const text = demoReport(r);
    if (r.history.some((h) => h.absent > 0)) expect(text).toMatch(/contributors \+ dropped \+ absent = 5 participants/);
  });
});
