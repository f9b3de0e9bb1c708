import { describe, expect, it } from 'vitest';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { POINT_BYTES, PSI_DST, psiReady, type PsiBlindedSet, type PsiReblindedSet } from '@tessera/psi';
import { randomScalar } from '../src/group.js';
import { startWithScalar } from '../src/party.js';

// The parties run on libsodium; every expected value below is recomputed independently with @noble/curves.
await psiReady();

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const pointsOf = (m: PsiBlindedSet | PsiReblindedSet): string[] =>
  Array.from({ length: m.count }, (_, i) => hex(m.points.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES)));
const enc = (p: InstanceType<typeof ristretto255.Point>): string => hex(p.toBytes());
const hashToGroup = (id: string) => ristretto255_hasher.hashToCurve(new TextEncoder().encode(id), { DST: PSI_DST });

describe('what each side sees', () => {
  const n = 300;
  const common = 120;
  const aliceIds = Array.from({ length: n }, (_, i) => `shopper-${i}@a.example`);
  const bobIds = [
    ...aliceIds.slice(n - common),
    ...Array.from({ length: n - common }, (_, i) => `shopper-${i}@b.example`),
  ];
  const a = randomScalar();
  const b = randomScalar();
  const alice = startWithScalar(aliceIds, 'initiator', a);
  const bob = startWithScalar(bobIds, 'responder', b);
  const toBob = alice.party.receive(bob.message); // what Bob receives in stage 2
  const toAlice = bob.party.receive(alice.message); // what Alice receives in stage 2
  const countAlice = alice.party.finish(toAlice);
  const countBob = bob.party.finish(toBob);

  it('gives the right count', () => {
    expect(countAlice).toBe(common);
    expect(countBob).toBe(common);
  });

  it('never carries the sender identifiers in clear', () => {
    for (const [received, senderIds] of [
      [[bob.message, toAlice], bobIds],
      [[alice.message, toBob], aliceIds],
    ] as const) {
      const blob = received
        .map((m) => Buffer.from(m.points).toString('latin1') + JSON.stringify({ ...m, points: undefined }))
        .join('');
      for (const id of senderIds) expect(blob.includes(id)).toBe(false);
    }
  });

  it('never carries unblinded H(x) of the sender identifiers', () => {
    const hAlice = new Set(aliceIds.map((id) => enc(hashToGroup(id))));
    const hBob = new Set(bobIds.map((id) => enc(hashToGroup(id))));
    for (const p of [...pointsOf(bob.message), ...pointsOf(toAlice)]) expect(hBob.has(p) || hAlice.has(p)).toBe(false);
    for (const p of [...pointsOf(alice.message), ...pointsOf(toBob)]) expect(hAlice.has(p) || hBob.has(p)).toBe(false);
  });

  it('message 1 does not match the receiver own blinded points for common identifiers', () => {
    // H(y)^b for Bob's ids vs what Alice sent (H(x)^a): no overlap although 120 ids are common.
    const bobOwn = new Set(pointsOf(bob.message));
    const aliceOwn = new Set(pointsOf(alice.message));
    expect(pointsOf(alice.message).filter((p) => bobOwn.has(p))).toHaveLength(0);
    expect(pointsOf(bob.message).filter((p) => aliceOwn.has(p))).toHaveLength(0);
    // and not H(x)^{own scalar} recomputed by the receiver either
    const bobWouldMatch = new Set(bobIds.map((id) => enc(hashToGroup(id).multiply(b))));
    expect(pointsOf(alice.message).filter((p) => bobWouldMatch.has(p))).toHaveLength(0);
  });

  it('message 1 is shuffled relative to the sender input order', () => {
    const inOrder = aliceIds.map((id) => enc(hashToGroup(id).multiply(a)));
    const sent = pointsOf(alice.message);
    expect(new Set(sent)).toEqual(new Set(inOrder));
    expect(sent.filter((p, i) => p === inOrder[i]).length).toBeLessThan(10); // ~1 fixed point expected
  });

  it('the doubly blinded set a party gets back is shuffled relative to its own input and message order', () => {
    const ab = (a * b) % ristretto255.Point.Fn.ORDER;
    const inInputOrder = aliceIds.map((id) => enc(hashToGroup(id).multiply(ab)));
    const inMessage1Order = pointsOf(alice.message).map((h) => enc(ristretto255.Point.fromHex(h).multiply(b)));
    const got = pointsOf(toAlice);
    expect(new Set(got)).toEqual(new Set(inInputOrder));
    expect(got.filter((p, i) => p === inInputOrder[i]).length).toBeLessThan(10);
    expect(got.filter((p, i) => p === inMessage1Order[i]).length).toBeLessThan(10);
  });

  it('the doubly blinded points match only for common identifiers', () => {
    const ab = (a * b) % ristretto255.Point.Fn.ORDER;
    const bobDouble = new Set(pointsOf(toBob));
    const matched = aliceIds.filter((id) => bobDouble.has(enc(hashToGroup(id).multiply(ab))));
    expect(matched).toEqual(aliceIds.slice(n - common));
  });
});
