// The PSI channel: only the two enrolled identities can open it; tampered, replayed or reflected messages fail.
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { PsiChannel, PsiChannelError, type PsiChannelParties } from '../src/index.js';

const alice = generateSigningKeyPair();
const bob = generateSigningKeyPair();
const mallory = generateSigningKeyPair();

const parties = (session = 'job-1'): [PsiChannelParties, PsiChannelParties] => [
  { session, selfId: 'p-a', peerId: 'p-b', identitySecretKey: alice.secretKey, peerIdentityKey: bob.publicKey },
  { session, selfId: 'p-b', peerId: 'p-a', identitySecretKey: bob.secretKey, peerIdentityKey: alice.publicKey },
];

function pair(session = 'job-1'): [PsiChannel, PsiChannel] {
  const [pa, pb] = parties(session);
  const a = PsiChannel.start(pa);
  const b = PsiChannel.start(pb);
  a.accept(b.hello);
  b.accept(a.hello);
  return [a, b];
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('PsiChannel', () => {
  it('carries messages both ways, each direction numbered from 0, as ciphertext only', () => {
    const [a, b] = pair();
    const m0 = a.seal(bytes('blinded set of alice'));
    const m1 = a.seal(bytes('count'));
    const r0 = b.seal(bytes('blinded set of bob'));
    expect([m0.seq, m1.seq, r0.seq]).toEqual([0, 1, 0]);
    expect(Buffer.from(m0.sealed).includes(Buffer.from('blinded'))).toBe(false);
    expect(text(b.open(m0))).toBe('blinded set of alice');
    expect(text(b.open(m1))).toBe('count');
    expect(text(a.open(r0))).toBe('blinded set of bob');
  });

  it('refuses a hello signed by another key: a relay cannot put its own ephemeral key in', () => {
    const [pa] = parties();
    const a = PsiChannel.start(pa);
    // The coordinator (mallory) poses as bob, with its own identity: alice knows bob's key, so it fails.
    const fake = PsiChannel.start({ ...parties()[1], identitySecretKey: mallory.secretKey });
    expect(() => a.accept(fake.hello)).toThrow(/does not verify under the identity key of p-b for session job-1/);
    // Bob's real hello with the key swapped for mallory's ephemeral key fails too.
    const b = PsiChannel.start(parties()[1]);
    expect(() => a.accept({ ephemeralKey: fake.hello.ephemeralKey, signature: b.hello.signature })).toThrow(
      PsiChannelError,
    );
    a.accept(b.hello); // the channel is unchanged by the refusals
    expect(a.established).toBe(true);
  });

  it("refuses a hello from another run, and a node's own hello reflected back", () => {
    const a = PsiChannel.start(parties('job-1')[0]);
    const otherRun = PsiChannel.start(parties('job-2')[1]);
    expect(() => a.accept(otherRun.hello)).toThrow(/for session job-1/);
    expect(() => a.accept(a.hello)).toThrow(PsiChannelError);
  });

  it('refuses a tampered, replayed, reordered or reflected sealed message, then takes the right one', () => {
    const [a, b] = pair();
    const m0 = a.seal(bytes('first'));
    const m1 = a.seal(bytes('second'));
    const flipped = { seq: 0, sealed: Uint8Array.from(m0.sealed) };
    flipped.sealed[20] = flipped.sealed[20]! ^ 1;
    expect(() => b.open(flipped)).toThrow(/does not open under the channel key from p-a/);
    expect(() => b.open(m1)).toThrow(/number 1 from p-a, expected number 0/);
    // The right sequence number on another message's ciphertext (the number is in the associated data).
    expect(() => b.open({ seq: 0, sealed: m1.sealed })).toThrow(/does not open/);
    expect(text(b.open(m0))).toBe('first');
    expect(() => b.open(m0)).toThrow(/number 0 from p-a, expected number 1/);
    // Bob's own message reflected back to bob: sealed under the other direction's key.
    const own = b.seal(bytes('bob to alice'));
    expect(() => b.open({ seq: 1, sealed: own.sealed })).toThrow(/does not open/);
    expect(text(b.open(m1))).toBe('second');
  });

  it('does not open under the keys of another run between the same two nodes', () => {
    const [a] = pair('job-1');
    const [, b2] = pair('job-2');
    expect(() => b2.open(a.seal(bytes('x')))).toThrow(/does not open/);
  });

  it('refuses to start without the peer identity key, and to seal before the hello', () => {
    expect(() => PsiChannel.start({ ...parties()[0], peerIdentityKey: new Uint8Array(0) })).toThrow(
      /identity key is 0 bytes/,
    );
    const a = PsiChannel.start(parties()[0]);
    expect(() => a.seal(bytes('x'))).toThrow(/before the peer's hello/);
  });
});
