// The alignment carried end to end through PsiChannel: the relay (the coordinator) sees ciphertexts only.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  type AlignmentBlinded,
  type AlignmentConfirmation,
  type AlignmentMessage,
  type AlignmentReblinded,
  decodeAlignmentMessage,
  encodeAlignmentMessage,
  POINT_BYTES,
  PsiChannel,
  PsiError,
  type PsiSealed,
  psiReady,
  startAlignment,
} from '@tessera/psi';

await psiReady();

function channels(session: string): [PsiChannel, PsiChannel] {
  const guest = generateSigningKeyPair();
  const host = generateSigningKeyPair();
  const g = PsiChannel.start({
    session,
    selfId: 'bank',
    peerId: 'shop',
    identitySecretKey: guest.secretKey,
    peerIdentityKey: host.publicKey,
  });
  const h = PsiChannel.start({
    session,
    selfId: 'shop',
    peerId: 'bank',
    identitySecretKey: host.secretKey,
    peerIdentityKey: guest.publicKey,
  });
  g.accept(h.hello);
  h.accept(g.hello);
  return [g, h];
}

describe('alignment through a relay', () => {
  it('aligns end to end while the relay holds only sealed bytes', async () => {
    const session = 'job-42';
    const salt = randomBytes(32);
    const guestIds = Array.from({ length: 200 }, (_, i) => `national-id-${i}`);
    const hostIds = Array.from({ length: 150 }, (_, i) => `national-id-${i + 120}`);
    const [gc, hc] = channels(session);
    const relayed: PsiSealed[] = [];
    const relay = (from: PsiChannel, to: PsiChannel, m: AlignmentMessage): AlignmentMessage => {
      const sealed = from.seal(encodeAlignmentMessage(m));
      relayed.push(sealed);
      return decodeAlignmentMessage(to.open(sealed));
    };
    const g1 = await startAlignment(guestIds, { role: 'initiator', salt, session });
    const h1 = await startAlignment(hostIds, { role: 'responder', salt, session });
    const g2 = await g1.stage.receive(relay(hc, gc, h1.message) as AlignmentBlinded);
    const h2 = await h1.stage.receive(relay(gc, hc, g1.message) as AlignmentBlinded);
    const g3 = g2.stage.finish(relay(hc, gc, h2.message) as AlignmentReblinded);
    const h3 = h2.stage.finish(relay(gc, hc, g2.message) as AlignmentReblinded);
    const guest = g3.stage.confirm(relay(hc, gc, h3.message) as AlignmentConfirmation);
    const host = h3.stage.confirm(relay(gc, hc, g3.message) as AlignmentConfirmation);
    expect(guest.size).toBe(80);
    expect(Array.from(guest.rows, (r) => guestIds[r])).toEqual(Array.from(host.rows, (r) => hostIds[r]));

    const wire = Buffer.concat(relayed.map((s) => Buffer.from(s.sealed)));
    const plain = [g1.message, h1.message, g2.message, h2.message, g3.message, h3.message];
    for (const m of plain) {
      const body = 'points' in m ? m.points : m.digest;
      for (let i = 0; i < body.length; i += POINT_BYTES) {
        expect(wire.includes(Buffer.from(body.subarray(i, i + POINT_BYTES)))).toBe(false);
      }
    }
    expect(wire.includes(Buffer.from('national-id'))).toBe(false);
  });

  it('round-trips every message kind and refuses malformed bytes', async () => {
    const salt = randomBytes(16);
    const s = await startAlignment(['a', 'b'], { role: 'responder', salt, session: 'sé' });
    const m = s.message;
    expect(decodeAlignmentMessage(encodeAlignmentMessage(m))).toEqual(m);
    const confirmation: AlignmentConfirmation = {
      kind: 'psi-align/confirmation',
      version: 1,
      session: '',
      from: 'initiator',
      size: 7,
      digest: randomBytes(32),
    };
    expect(decodeAlignmentMessage(encodeAlignmentMessage(confirmation))).toEqual({
      ...confirmation,
      digest: new Uint8Array(confirmation.digest),
    });
    const bytes = encodeAlignmentMessage(m);
    const refusal = (b: Uint8Array): string => {
      try {
        decodeAlignmentMessage(b);
      } catch (e) {
        expect(e).toBeInstanceOf(PsiError);
        return (e as PsiError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refusal(bytes.subarray(0, bytes.length - 1))).toContain('bytes of points for a count of 2');
    expect(refusal(Uint8Array.from([9, ...bytes.subarray(1)]))).toContain('unknown kind byte 9');
    expect(refusal(Uint8Array.from([bytes[0]!, 2, ...bytes.subarray(2)]))).toContain('unsupported version 2');
    expect(refusal(bytes.subarray(0, 5))).toContain('shorter than any message');
  });
});
