import { SecureBoostGuest, SecureBoostHost, SecureBoostHostScorer, trainSecureBoost } from '@tessera/vertical';
import { describe, expect, it } from 'vitest';

describe('SecureBoost roles refuse bad input and out-of-order messages', () => {
  it('a host refuses histogram, split and gradient messages before setup', () => {
    const host = new SecureBoostHost(0, [Float64Array.of(1, 2, 3)]);
    const rows = Uint32Array.of(0, 1);
    expect(() => host.histogram({ kind: 'histogram-request', tree: 0, node: 0, rows })).toThrow(/before boost-setup/);
    expect(() => host.split({ kind: 'split-request', tree: 0, node: 0, feature: 0, bin: 0, rows })).toThrow(
      /before boost-setup/,
    );
    expect(() => host.gradients({ kind: 'encrypted-gradients', tree: 0, ciphertexts: [] })).toThrow(
      /before boost-setup/,
    );
    expect(() => new SecureBoostHost(1, [])).toThrow(/at least one feature column/);
  });

  it('the guest refuses labels that are not 0/1 and columns of the wrong length', () => {
    expect(() => new SecureBoostGuest([Float64Array.of(1, 2)], Float64Array.of(0, 2))).toThrow(
      /labels\[1\] = 2: labels must be 0 or 1/,
    );
    expect(() => new SecureBoostGuest([Float64Array.of(1)], Float64Array.of(0, 1))).toThrow(
      /guest feature 0 has 1 rows, the label has 2/,
    );
  });

  it('training refuses a host whose rows are not the aligned rows', async () => {
    await expect(
      trainSecureBoost({
        guestFeatures: [Float64Array.of(1, 2, 3, 4)],
        labels: Float64Array.of(0, 1, 0, 1),
        hostFeatures: [[Float64Array.of(1, 2, 3)]],
      }),
    ).rejects.toThrow(/host 0: feature 0 has 3 rows, the guest aligned 4/);
  });

  it('a host scorer refuses unknown split ids and rows out of range', () => {
    const scorer = new SecureBoostHostScorer({ splits: new Map([['ab', { feature: 0, value: 2 }]]) }, [
      Float64Array.of(1, 2, 3),
    ]);
    expect(scorer.score({ kind: 'score-query', split: 'ab', rows: Uint32Array.of(0, 1, 2) }).left).toEqual(
      Uint32Array.of(0, 1),
    );
    expect(() => scorer.score({ kind: 'score-query', split: 'cd', rows: Uint32Array.of(0) })).toThrow(
      /split cd is not one of this host's/,
    );
    expect(() => scorer.score({ kind: 'score-query', split: 'ab', rows: Uint32Array.of(5) })).toThrow(
      /row 5 is not below the row count 3/,
    );
  });
});
