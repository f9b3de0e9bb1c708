import { describe, expect, it } from 'vitest';
import { chooseParameters } from '@tessera/secagg';
import { randomInputs, setup } from './harness.js';
import { splitAttack, type Forwarding } from './split-attack.js';

// The split-unmask attack of issue 15: the coordinator tells participants 1 and 2 that participant 0 survived (they
// reveal shares of its self-mask seed b_0) and participants 3 and 4 that it dropped (they reveal shares of its masking
// key s_0), then strips both masks off y_0. The clients are the real @tessera/secagg ones; the coordinator is
// test-only (split-attack.ts) and skips the production server's consistency check, showing each client whatever
// signatures it likes.

const n = 5;
const defaults = chooseParameters({ n, dropoutRate: 0.1, corruptFraction: 0.1 });
const inputs = randomInputs(n, 16, 2 ** 32, 'split-unmask');

const attack = (threshold: number, forwarding: Forwarding, toldDropped: readonly number[] = [3, 4]) =>
  splitAttack({ setup: setup({ n, threshold, dimension: 16 }), inputs, victim: 0, toldDropped, forwarding });

describe('the split-unmask attack (issue 15), against honest clients', () => {
  it('at the default threshold (n = 5: t = 3) the coordinator recovers nothing; the clients told the lie abort', () => {
    expect(defaults).toMatchObject({ complete: true, degree: 4, threshold: 3 });
    // The coordinator's best: each side sees only the signatures over its own story, so no one sees a mismatch.
    const r = attack(defaults.threshold, 'own-side');
    expect(r.recovered).toBeUndefined();
    expect(r.maskingKeyShares).toBe(0);
    expect([...r.refusals.keys()].sort()).toEqual([3, 4]);
    for (const [i, e] of r.refusals) {
      expect(e.code).toBe('too-few');
      expect(e.message).toBe(
        `participant ${i}: only 2 of this participant's neighbourhood (itself included) are shown to have signed ` +
          'the survivor set it signed, the threshold is 3: the coordinator may have told the others a different ' +
          'set; not unmasking',
      );
    }
    // The side told that 0 survived confirms its story and answers as in an honest round: self-mask shares only.
    expect(r.selfMaskShares).toBe(3);
  });

  it('a coordinator that forwards every signature it collected is caught by every client, which names a signer', () => {
    for (const threshold of [defaults.threshold, 2]) {
      const r = attack(threshold, 'all');
      expect(r.recovered).toBeUndefined();
      expect(r.selfMaskShares + r.maskingKeyShares).toBe(0);
      expect([...r.refusals.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
      for (const [i, e] of r.refusals) {
        expect(e.code).toBe('inconsistent-survivors');
        // Those told that 0 dropped see 0's signature; the others see a signature over the set without 0.
        expect(e.message).toMatch(
          [3, 4].includes(i)
            ? `participant ${i}: participant 0 signed a survivor set, but the set this participant signed does not ` +
                'list it as a survivor: the coordinator told participants different survivor sets; not unmasking'
            : new RegExp(
                `^participant ${i}: participant [34]'s consistency signature does not verify over the survivor ` +
                  'set this participant signed: the coordinator told participants different survivor sets',
              ),
        );
      }
    }
  });

  it('the same attack does recover x0 exactly at the old default t = 2: both sides then have t members', () => {
    // Before issue 15 the coordinator chose t = 2 at n = 5. Two clients can confirm each other's story, so no
    // consistency check that lets a round with t survivors finish can tell this split from such a round: the
    // threshold (2t - 1 > k + colluding neighbours) is what stops it. The check catches a coordinator that lets a
    // client see the other side's signatures (previous test), and leaves one signed survivor set per client.
    const r = attack(2, 'own-side');
    expect(r.refusals.size).toBe(0);
    expect(r.selfMaskShares).toBe(3);
    expect(r.maskingKeyShares).toBe(2);
    expect(r.recovered).toEqual(inputs[0]);
  });

  it('against real clients the split succeeds exactly when both sides reach t (no colluders, n = 3..6)', () => {
    for (let m = 3; m <= 6; m++) {
      const chosen = chooseParameters({ n: m, dropoutRate: 0.1, corruptFraction: 0.1 }).threshold;
      const xs = randomInputs(m, 4, 2 ** 32, `split-${m}`);
      for (let t = 2; t <= m; t++) {
        for (let told = 1; told < m; told++) {
          // The last `told` participants are told 0 dropped; 0 and the others, that it survived.
          const toldDropped = Array.from({ length: told }, (_, j) => m - 1 - j);
          const r = splitAttack({
            setup: setup({ n: m, threshold: t, dimension: 4 }),
            inputs: xs,
            victim: 0,
            toldDropped,
            forwarding: 'own-side',
          });
          const model = m - told >= t && told >= t;
          expect({ m, t, told, recovered: r.recovered !== undefined }).toEqual({ m, t, told, recovered: model });
          if (model) expect(r.recovered).toEqual(xs[0]);
          if (t === chosen) expect(r.recovered).toBeUndefined();
        }
      }
    }
  });
});
