// A vertical job over gRPC at 10^5 customers per side: the alignment (on worker threads) is exact, or the model
// could not find the signal that only matched rows carry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { LocalFederation, runVertical } from '../src/index.js';
import { tempDir } from './helpers.js';

const N = 100_000;
const SHIFT = 20_000;

describe('a vertical job at 10^5 customers per side', () => {
  const tmp = tempDir();
  let fed: LocalFederation;

  beforeAll(async () => {
    // Customer c's label is 1 when g(c) + h(c) > 0: the guest holds g and the label, the host h (for its
    // customers c = SHIFT..N+SHIFT-1). With rows paired wrongly, h would be noise to the label and the AUC near
    // the guest's alone.
    const rng = seededRandom('vertical-large');
    const g = Float64Array.from({ length: N + SHIFT }, () => rng.gaussian());
    const h = Float64Array.from({ length: N + SHIFT }, () => rng.gaussian());
    const table = (from: number, columns: string[], row: (c: number) => string[]): RawTable => ({
      source: 'synthetic',
      columns,
      rows: Array.from({ length: N }, (_, i) => row(from + i)),
      lineOf: (i) => i + 2,
    });
    const guest = table(0, ['phone', 'g', 'label'], (c) => [
      `+44 7700 ${c}`,
      String(g[c]),
      g[c]! + h[c]! > 0 ? '1' : '0',
    ]);
    // The host writes its identifiers differently (spacing, case): alignment normalises them.
    const host = table(SHIFT, ['phone', 'h'], (c) => [`+44  7700 ${c} `, String(h[c])]);
    fed = await LocalFederation.start({ dir: tmp.dir, shards: [guest, host], names: ['bank', 'platform'] });
  }, 120_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('aligns exactly the 80,000 shared customers and learns from both sides', async () => {
    const [bank, platform] = fed.participants.map((p) => p.id) as [string, string];
    const started = performance.now();
    const { result } = await runVertical(fed.analyst, {
      name: 'large',
      parties: [
        { participant: bank, dataset: 'customers', idColumn: 'phone', role: 'guest', label: 'label' },
        { participant: platform, dataset: 'customers', idColumn: 'phone', role: 'host' },
      ],
      model: { kind: 'vertical-logistic', epochs: 1, batchSize: 8192, learningRate: 0.5 },
      timeoutSeconds: 1200,
    });
    const v = result.vertical;
    console.log(
      `10^5 per side: ${v.overlap} shared, AUC ${v.federated.auc.toFixed(4)}, ${v.seconds.toFixed(1)} s in the run, ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s in all, ` +
        `${(v.relayedBytes / 2 ** 20).toFixed(0)} MiB relayed`,
    );
    expect(v.overlap).toBe(N - SHIFT);
    expect(v.federated.trainRows + v.federated.testRows).toBe(N - SHIFT);
    // The label is a function of both sides' values: only exactly paired rows give this AUC (the guest alone: ~0.75).
    expect(v.federated.auc).toBeGreaterThan(0.97);
  }, 1_200_000);
});
