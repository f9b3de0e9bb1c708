// An end-to-end channel between two enrolled participants for PSI messages the coordinator relays.
import {
  agree,
  generateKeyAgreementPair,
  hkdfSha256,
  lengthPrefixed,
  open,
  seal,
  sign,
  verify,
  type KeyAgreementPair,
} from '@tessera/crypto';
import { createHash } from 'node:crypto';

/**
 * Each side makes a fresh X25519 key and signs it with its Ed25519 identity key (context
 * `PSI_HELLO_CONTEXT`, over the session, both participant ids in sender-to-recipient order and the
 * ephemeral key). The other side checks that signature against the identity key it knows for its
 * peer, agrees a shared secret and derives one AES-256-GCM key per direction with HKDF-SHA-256 over
 * the whole handshake. Every message is sealed with the sender's direction key; its associated data
 * binds the session, both ids, the direction and a sequence number that must be exactly the next
 * one, so a tampered, replayed, reordered or reflected message does not open. The coordinator, which
 * relays the hellos and the sealed messages, holds neither ephemeral secret and cannot sign for
 * either identity: it sees lengths and timing only.
 */
export const PSI_HELLO_CONTEXT = 'tessera/v1/psi-channel/hello';
const KEY_INFO = 'tessera/v1/psi-channel/key';
const MESSAGE_AD = 'tessera/v1/psi-channel/message';

const encoder = new TextEncoder();
const utf8 = (s: string) => encoder.encode(s);

/** Why a hello or a sealed message was refused; the channel is unchanged and may take the right one. */
export class PsiChannelError extends Error {
  override readonly name = 'PsiChannelError';
}

/** The parties of one channel: the session label, this node and its peer (ids and keys). */
export interface PsiChannelParties {
  /** Binds the channel to one run (the overlap job's id). */
  readonly session: string;
  readonly selfId: string;
  readonly peerId: string;
  /** This node's Ed25519 identity secret key (32 bytes). */
  readonly identitySecretKey: Uint8Array;
  /** The peer's Ed25519 identity public key, as this node knows it (32 bytes). */
  readonly peerIdentityKey: Uint8Array;
}

/** A hello: the sender's ephemeral X25519 key and its identity's signature over it. */
export interface PsiHello {
  readonly ephemeralKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** A sealed message as it travels: its sequence number (in the sender's direction) and the AEAD output. */
export interface PsiSealed {
  readonly seq: number;
  readonly sealed: Uint8Array;
}

/** The bytes a hello signs: the session, sender, recipient and the ephemeral key, each length-prefixed. */
export function psiHelloMessage(session: string, from: string, to: string, ephemeralKey: Uint8Array): Uint8Array {
  return lengthPrefixed(utf8(session), utf8(from), utf8(to), ephemeralKey);
}

function seqBytes(seq: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, seq, false);
  return out;
}

/**
 * One side of the channel. `PsiChannel.start` makes the ephemeral key and the hello to send; `accept`
 * takes the peer's hello; then `seal` and `open` carry the PSI messages, each direction numbered from 0.
 */
export class PsiChannel {
  private ephemeral: KeyAgreementPair | undefined;
  private sendKey: Uint8Array | undefined;
  private receiveKey: Uint8Array | undefined;
  private sent = 0;
  private received = 0;

  private constructor(
    private readonly parties: PsiChannelParties,
    ephemeral: KeyAgreementPair,
    readonly hello: PsiHello,
  ) {
    this.ephemeral = ephemeral;
  }

  static start(parties: PsiChannelParties): PsiChannel {
    if (!parties.session) throw new RangeError('a PSI channel needs a session label (the job id)');
    if (!parties.selfId || !parties.peerId || parties.selfId === parties.peerId)
      throw new RangeError(
        `a PSI channel needs two different participant ids, got ${JSON.stringify([parties.selfId, parties.peerId])}`,
      );
    if (parties.peerIdentityKey.length !== 32)
      throw new PsiChannelError(
        `the peer ${parties.peerId}'s identity key is ${parties.peerIdentityKey.length} bytes, not 32: ` +
          'the task does not say who the peer is; refused before sending anything',
      );
    const ephemeral = generateKeyAgreementPair();
    const signature = sign(
      PSI_HELLO_CONTEXT,
      psiHelloMessage(parties.session, parties.selfId, parties.peerId, ephemeral.publicKey),
      parties.identitySecretKey,
    );
    return new PsiChannel(parties, ephemeral, { ephemeralKey: ephemeral.publicKey, signature });
  }

  /** True once the peer's hello was accepted. */
  get established(): boolean {
    return this.sendKey !== undefined;
  }

  /**
   * Checks the peer's hello against the peer's identity key and derives both direction keys. Throws a
   * PsiChannelError for a second hello, a signature that does not verify (another signer, another
   * session or direction, a changed key) or a low-order key.
   */
  accept(hello: PsiHello): void {
    const p = this.parties;
    if (this.sendKey || !this.ephemeral) throw new PsiChannelError('a second hello on an established PSI channel');
    const peerKey = hello.ephemeralKey;
    if (!(peerKey instanceof Uint8Array) || peerKey.length !== 32)
      throw new PsiChannelError(`the peer's ephemeral key is not 32 bytes (${peerKey?.length ?? 0})`);
    const signed = psiHelloMessage(p.session, p.peerId, p.selfId, peerKey);
    if (
      !(hello.signature instanceof Uint8Array) ||
      !verify(PSI_HELLO_CONTEXT, signed, hello.signature, p.peerIdentityKey)
    )
      throw new PsiChannelError(
        `the hello's signature does not verify under the identity key of ${p.peerId} for session ${p.session}: ` +
          'it was not made by the peer for this run and direction (a relay that substituted its own key, or a ' +
          'replayed hello); refused',
      );
    let shared: Uint8Array;
    try {
      shared = agree(this.ephemeral.secretKey, peerKey);
    } catch (e) {
      throw new PsiChannelError(`the peer's ephemeral key is refused: ${(e as Error).message}`);
    }
    const mine = this.hello.ephemeralKey;
    // The handshake transcript, the same on both sides: ids and keys in a fixed (sorted-id) order.
    const [first, second] = p.selfId < p.peerId ? [p.selfId, p.peerId] : [p.peerId, p.selfId];
    const [k1, k2] = p.selfId < p.peerId ? [mine, peerKey] : [peerKey, mine];
    const salt = createHash('sha256')
      .update(lengthPrefixed(utf8(p.session), utf8(first), utf8(second), k1, k2))
      .digest();
    const keyFor = (from: string, to: string) =>
      hkdfSha256(shared, salt, lengthPrefixed(utf8(KEY_INFO), utf8(from), utf8(to)), 32);
    this.sendKey = keyFor(p.selfId, p.peerId);
    this.receiveKey = keyFor(p.peerId, p.selfId);
    shared.fill(0);
    this.ephemeral.secretKey.fill(0);
    this.ephemeral = undefined;
  }

  /** The next message to the peer, sealed with this direction's key and sequence number. */
  seal(plaintext: Uint8Array): PsiSealed {
    const p = this.parties;
    if (!this.sendKey) throw new PsiChannelError("seal() before the peer's hello was accepted");
    const seq = this.sent++;
    return { seq, sealed: seal(this.sendKey, plaintext, this.ad(p.selfId, p.peerId, seq)) };
  }

  /**
   * The plaintext of the peer's next message. Throws a PsiChannelError, and expects the same sequence
   * number again, if `seq` is not the next one (a replay or reordering) or the message does not open under
   * the peer's direction key with that number (tampered, from another run, or this node's own reflected).
   */
  open(m: PsiSealed): Uint8Array {
    const p = this.parties;
    if (!this.receiveKey) throw new PsiChannelError("a sealed message before the peer's hello");
    if (m.seq !== this.received)
      throw new PsiChannelError(
        `sealed message number ${m.seq} from ${p.peerId}, expected number ${this.received}: ` +
          'a replayed, reordered or dropped message; refused',
      );
    const plain = open(this.receiveKey, m.sealed, this.ad(p.peerId, p.selfId, m.seq));
    if (!plain)
      throw new PsiChannelError(
        `sealed message number ${m.seq} does not open under the channel key from ${p.peerId}: ` +
          'tampered, or not sealed by the peer for this run and direction; refused',
      );
    this.received++;
    return plain;
  }

  private ad(from: string, to: string, seq: number): Uint8Array {
    return lengthPrefixed(utf8(MESSAGE_AD), utf8(this.parties.session), utf8(from), utf8(to), seqBytes(seq));
  }

  /** Forgets the keys (after the run, or when it is abandoned). */
  close(): void {
    this.sendKey?.fill(0);
    this.receiveKey?.fill(0);
    this.ephemeral?.secretKey.fill(0);
    this.sendKey = undefined;
    this.receiveKey = undefined;
    this.ephemeral = undefined;
  }
}
