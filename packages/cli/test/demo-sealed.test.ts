import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { demoOptions } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';

const breastCancer = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

const base = demoOptions({
  participants: 4,
  rounds: 6,
  seed: 11,
  learningRate: 0.1,
  data: breastCancer,
  label: 'benign',
  split: 'iid',
});

describe('tessera demo --secure sealed (analyst keys in memory, the analyst decrypts every aggregate)', () => {
  it('trains breast cancer to within 0.01 AUC of masked aggregation on the same seed', async () => {
    const masked = await runDemo({ ...base, secure: 'masked' });
    const sealed = await runDemo({ ...base, secure: 'sealed' });
    expect(sealed.secure.mode).toBe('sealed');
    expect(sealed.history).toHaveLength(base.rounds);
    expect(sealed.history.every((h) => h.contributors >= 2)).toBe(true);
    expect(sealed.secure.threshold).toBeGreaterThanOrEqual(2);
    expect(sealed.federated.auc).toBeGreaterThan(0.95);
    expect(Math.abs(sealed.federated.auc - masked.federated.auc)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  it('recovers from dropouts: 5 participants, 30% dropping every round, still within 0.01 AUC of masked', async () => {
    const common = { ...base, participants: 5, drop: 0.3, seed: 12 };
    const masked = await runDemo({ ...common, secure: 'masked' });
    const sealed = await runDemo({ ...common, secure: 'sealed' });
    expect(sealed.secure.mode).toBe('sealed');
    expect(sealed.secure.dropped).toBeGreaterThan(0);
    expect(sealed.history).toHaveLength(base.rounds);
    expect(Math.abs(sealed.federated.auc - masked.federated.auc)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  it('refuses --secure sealed with --dp (not combined yet)', async () => {
    await expect(runDemo({ ...base, secure: 'sealed', dp: 'distributed' })).rejects.toThrow(
      /--secure sealed does not combine with --dp/,
    );
  });
});
