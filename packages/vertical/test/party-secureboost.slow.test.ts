// The party layer's SecureBoost at the spec's usual size (5 trees of depth 3, 32 bins): the same held-out AUC as
// the plaintext GBDT on the same joined rows, above guest-only. Slow: about a minute on two free cores.
import { auc } from '@tessera/ml';
import { type GuestSecureBoostModel, type HostSecureBoostModel, predictGbdt, trainGbdt } from '@tessera/vertical';
import { describe, expect, it } from 'vitest';
import { partyTables, runPair, standardised, value } from './party-fixture.js';

const MODEL = {
  kind: 'secureboost',
  trees: 5,
  depth: 3,
  learningRate: 0.3,
  bins: 32,
  minChildWeight: 1,
  lambda: 1,
} as const;
const { kind: _, ...CONFIG } = MODEL;

describe('SecureBoost between two parties, 5 trees of 32 bins', () => {
  it('is within 0.01 AUC of the plaintext GBDT and above guest-only', async () => {
    const tables = partyTables();
    const run = await runPair(tables, MODEL, { ms: 600_000 });
    const guest = value(run.guest);
    const host = value(run.host);
    const g = guest.model as GuestSecureBoostModel;
    const h = host.model as HostSecureBoostModel;
    const y = (rows: Uint32Array) => Float64Array.from(rows, (r) => tables.labels[r]!);
    const guestCols = (rows: Uint32Array) => standardised(tables.guest, g.standardisation, rows);
    const hostCols = (rows: Uint32Array) => standardised(tables.host, h.standardisation, rows);
    const { train, test } = guest.rows;
    const reference = trainGbdt([...guestCols(train), ...hostCols(host.rows.train)], y(train), CONFIG);
    const plain = auc(y(test), predictGbdt(reference, [...guestCols(test), ...hostCols(host.rows.test)]));
    const guestOnly = auc(y(test), predictGbdt(trainGbdt(guestCols(train), y(train), CONFIG), guestCols(test)));
    console.log(
      `party SecureBoost (5 trees, 32 bins) AUC ${guest.metrics.auc.toFixed(4)}, plaintext ${plain.toFixed(4)}, ` +
        `guest-only ${guestOnly.toFixed(4)}; seconds ${JSON.stringify(guest.seconds)}`,
    );
    expect(Math.abs(guest.metrics.auc - plain)).toBeLessThanOrEqual(0.01);
    expect(guest.metrics.auc).toBeGreaterThan(guestOnly);
  }, 600_000);
});
