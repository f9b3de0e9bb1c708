import { beforeAll, describe, expect, it } from 'vitest';
import {
  PsiError,
  PsiParty,
  psiReady,
  type PsiBlindedSet,
  type PsiErrorCode,
  type PsiReblindedSet,
} from '@tessera/psi';

beforeAll(() => psiReady());

const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function refused(code: PsiErrorCode, f: () => unknown): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PsiError);
  expect((error as PsiError).code).toBe(code);
}

function pair(options: { maxPeerSetSize?: number; session?: string } = {}) {
  const alice = PsiParty.start(ids('a', 8).concat(ids('c', 4)), { role: 'initiator', ...options });
  const bob = PsiParty.start(ids('b', 6).concat(ids('c', 4)), { role: 'responder', ...options });
  return { alice, bob };
}

const withPoints = <M extends PsiBlindedSet | PsiReblindedSet>(
  m: M,
  edit: (p: Uint8Array) => void,
  count = m.count,
): M => {
  const points = new Uint8Array(m.points);
  edit(points);
  return { ...m, points, count };
};

describe('refusals', () => {
  it('refuses a non-canonical or invalid point encoding, and the identity', () => {
    const { alice, bob } = pair();
    refused('bad-point', () => alice.party.receive(withPoints(bob.message, (p) => p.fill(0xff, 32, 64))));
    // odd s: not canonical
    refused('bad-point', () => alice.party.receive(withPoints(bob.message, (p) => (p[0] ^= 1))));
    refused('bad-point', () => alice.party.receive(withPoints(bob.message, (p) => p.fill(0, 64, 96)))); // identity
    // a valid field element that is not a ristretto255 encoding
    const notOnGroup = new Uint8Array(32);
    notOnGroup[0] = 2;
    let rejected = 0;
    for (let v = 2; v < 40; v += 2) {
      notOnGroup[0] = v;
      try {
        alice.party.receive(withPoints(bob.message, (p) => p.set(notOnGroup, 0)));
      } catch (e) {
        if (e instanceof PsiError && e.code === 'bad-point') rejected++;
        else throw e;
      }
      if (rejected > 0) break;
    }
    expect(rejected).toBeGreaterThan(0);
    expect(alice.party.stage).toBe('awaiting-peer-set');
  });

  it('refuses points whose length does not match the declared count', () => {
    const { alice, bob } = pair();
    refused('wrong-length', () => alice.party.receive({ ...bob.message, count: bob.message.count + 1 }));
    refused('wrong-length', () => alice.party.receive({ ...bob.message, points: bob.message.points.subarray(1) }));
    refused('bad-message', () => alice.party.receive({ ...bob.message, count: -1 }));
    refused('bad-message', () => alice.party.receive({ ...bob.message, count: 1.5 }));
  });

  it('refuses duplicate points', () => {
    const { alice, bob } = pair();
    refused('duplicate', () => alice.party.receive(withPoints(bob.message, (p) => p.copyWithin(32, 0, 32))));
  });

  it('refuses a peer set over the declared limit, and an own set over it', () => {
    const alice = PsiParty.start(ids('a', 5), { role: 'initiator', maxPeerSetSize: 9 });
    const bob = PsiParty.start(ids('b', 10), 'responder');
    refused('too-large', () => alice.party.receive(bob.message));
    refused('too-large', () => PsiParty.start(ids('a', 10), { role: 'initiator', maxPeerSetSize: 9 }));
  });

  it('refuses out-of-order, replayed and reflected messages', () => {
    const { alice, bob } = pair();
    // finish before receive
    refused('out-of-order', () => alice.party.finish({ ...bob.message, kind: 'psi/reblinded' } as PsiReblindedSet));
    refused('wrong-role', () => alice.party.receive(alice.message)); // reflection of its own message 1
    const toBob = alice.party.receive(bob.message);
    refused('replay', () => alice.party.receive(bob.message));
    // message 1 where 2 belongs
    refused('out-of-order', () => alice.party.finish(bob.message as unknown as PsiReblindedSet));
    const toAlice = bob.party.receive(alice.message);
    refused('wrong-role', () => alice.party.finish(toBob)); // its own message 2
    expect(alice.party.finish(toAlice)).toBe(4);
    refused('replay', () => alice.party.finish(toAlice));
    refused('replay', () => alice.party.receive(bob.message));
    expect(bob.party.finish(toBob)).toBe(4);
  });

  it('refuses a returned set of the wrong size, or with bad or repeated points', () => {
    const { alice, bob } = pair();
    alice.party.receive(bob.message);
    const toAlice = bob.party.receive(alice.message);
    refused('wrong-count', () =>
      alice.party.finish({ ...toAlice, count: toAlice.count - 1, points: toAlice.points.subarray(32) }),
    );
    refused('bad-point', () => alice.party.finish(withPoints(toAlice, (p) => p.fill(0xff, 0, 32))));
    refused('duplicate', () => alice.party.finish(withPoints(toAlice, (p) => p.copyWithin(0, 32, 64))));
    expect(alice.party.finish(toAlice)).toBe(4); // nothing changed by the refusals
  });

  it('refuses other sessions, versions and kinds', () => {
    const alice = PsiParty.start(ids('a', 3), { role: 'initiator', session: 's1' });
    const bob = PsiParty.start(ids('a', 3), { role: 'responder', session: 's2' });
    refused('wrong-session', () => alice.party.receive(bob.message));
    refused('bad-message', () =>
      alice.party.receive({ ...bob.message, session: 's1', version: 2 } as unknown as PsiBlindedSet),
    );
    refused('bad-message', () =>
      alice.party.receive({ ...bob.message, session: 's1', kind: 'psi/other' } as unknown as PsiBlindedSet),
    );
    refused('bad-message', () =>
      alice.party.receive({ ...bob.message, session: 's1', points: [1, 2] } as unknown as PsiBlindedSet),
    );
    const toBob = alice.party.receive({ ...bob.message, session: 's1' });
    expect(toBob.count).toBe(3);
  });

  it('cannot detect a DST mismatch: the count is then simply 0', () => {
    // Not a refusal: a DST mismatch cannot be detected, the sets just do not match. Documented in the README.
    const alice = PsiParty.start(['x', 'y'], { role: 'initiator', dst: 'tessera/v1/psi' });
    const bob = PsiParty.start(['x', 'y'], { role: 'responder', dst: 'other/v1/psi' });
    const toBob = alice.party.receive(bob.message);
    const toAlice = bob.party.receive(alice.message);
    expect(alice.party.finish(toAlice)).toBe(0);
    expect(bob.party.finish(toBob)).toBe(0);
  });
});
