// The PeerLink of a vertical run over the coordinator's relay: each message encoded, chunked and sealed end to end.
import type { tessera } from '@tessera/proto';
import { PsiChannel, PsiChannelError } from '@tessera/psi';
import { decodeVerticalMessage, encodeVerticalMessage, type PeerLink, type VerticalMessage } from '@tessera/vertical';

/** Plaintext bytes of one sealed chunk (the relay refuses anything over 1 MiB plus the AEAD's overhead). */
export const CHUNK_BYTES = 1024 * 1024 - 16;
/** The largest whole message a peer may send (SecureBoost's gradients at 10^6 rows are far below it). */
export const MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

/**
 * Whole messages the peer may have sent ahead of this side's protocol (which answers each in turn, so a handful at
 * most): more is a peer flooding the node, and the link closes.
 */
export const MAX_INBOX = 16;

const LAST = 1;
const MORE = 0;

/** Who the link speaks for and how it sends: the task, this node and its peer, and the node's send. */
export interface SealedLinkParties {
  readonly ref: tessera.v1.ITaskRef;
  readonly selfId: string;
  readonly peerId: string;
  readonly identitySecretKey: Uint8Array;
  readonly peerIdentityKey: Uint8Array;
  readonly send: (m: tessera.v1.IPsiPoints) => Promise<void>;
  /** Called once, when the peer's hello verified under its identity key. */
  readonly onOpen?: () => void;
}

/**
 * One party's end of a vertical run's channel. `hello()` is the first message to send; `onPsi` takes the peer's
 * relayed hello and sealed chunks. A message is sent as chunks of at most CHUNK_BYTES, each sealed under the
 * channel's direction key with the next sequence number (psi-channel.ts), its first byte saying whether more
 * follow; the coordinator relays ciphertext it cannot open, reorder or replay. A chunk that does not open, a
 * message that does not decode, or a closed run rejects every pending and later `receive()`.
 */
export class SealedLink implements PeerLink {
  private readonly channel: PsiChannel;
  private readonly inbox: VerticalMessage[] = [];
  private readonly waiting: { resolve: (m: VerticalMessage) => void; reject: (e: Error) => void }[] = [];
  private readonly partial: Uint8Array[] = [];
  private partialBytes = 0;
  private failure: Error | undefined;
  private opened!: () => void;
  private readonly ready = new Promise<void>((resolve) => {
    this.opened = resolve;
  });
  private accepted = false;
  /** Bytes sent and received (sealed), for the node's log. */
  bytesOut = 0;
  bytesIn = 0;

  constructor(private readonly parties: SealedLinkParties) {
    this.channel = PsiChannel.start({
      session: parties.ref.jobId ?? '',
      selfId: parties.selfId,
      peerId: parties.peerId,
      identitySecretKey: parties.identitySecretKey,
      peerIdentityKey: parties.peerIdentityKey,
    });
  }

  /** The hello to send first: this side's ephemeral key, signed by its identity. */
  hello(): tessera.v1.IPsiPoints {
    return {
      task: this.parties.ref,
      kind: 'psi/hello',
      session: this.parties.ref.jobId ?? '',
      ephemeralKey: this.channel.hello.ephemeralKey,
      ephemeralSignature: this.channel.hello.signature,
    };
  }

  async send(message: VerticalMessage): Promise<void> {
    await Promise.race([this.ready, this.failed()]);
    if (this.failure) throw this.failure;
    const bytes = encodeVerticalMessage(message);
    for (let offset = 0; offset === 0 || offset < bytes.length; offset += CHUNK_BYTES) {
      const piece = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK_BYTES));
      const plain = new Uint8Array(piece.length + 1);
      plain[0] = offset + CHUNK_BYTES >= bytes.length ? LAST : MORE;
      plain.set(piece, 1);
      const { seq, sealed } = this.channel.seal(plain);
      this.bytesOut += sealed.length;
      await this.parties.send({ task: this.parties.ref, kind: 'psi/sealed', seq, sealed });
    }
  }

  receive(): Promise<VerticalMessage> {
    const next = this.inbox.shift();
    if (next) return Promise.resolve(next);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** The peer's relayed hello or sealed chunk. Throws nothing: a bad one closes the link with the reason. */
  onPsi(m: tessera.v1.IPsiPoints): void {
    if (this.failure) return;
    try {
      if (m.kind === 'psi/hello') {
        if (this.accepted) throw new PsiChannelError('a second hello from the peer');
        this.channel.accept({
          ephemeralKey: m.ephemeralKey ?? new Uint8Array(0),
          signature: m.ephemeralSignature ?? new Uint8Array(0),
        });
        this.accepted = true;
        this.parties.onOpen?.();
        this.opened();
        return;
      }
      if (m.kind !== 'psi/sealed')
        throw new PsiChannelError(`a message of kind ${JSON.stringify(m.kind)} outside the sealed channel`);
      const sealed = m.sealed ?? new Uint8Array(0);
      this.bytesIn += sealed.length;
      const plain = this.channel.open({ seq: Number(m.seq ?? 0), sealed });
      if (plain.length < 1 || (plain[0] !== LAST && plain[0] !== MORE))
        throw new PsiChannelError('a sealed chunk without its framing byte');
      this.partialBytes += plain.length - 1;
      if (this.partialBytes > MAX_MESSAGE_BYTES)
        throw new PsiChannelError(`a message larger than ${MAX_MESSAGE_BYTES} bytes`);
      this.partial.push(plain.subarray(1));
      if (plain[0] === MORE) return;
      const whole = Buffer.concat(this.partial);
      this.partial.length = 0;
      this.partialBytes = 0;
      this.deliver(decodeVerticalMessage(whole));
    } catch (e) {
      this.close(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Ends the link: pending and later receives reject with `reason`; the channel's keys are dropped. */
  close(reason: Error): void {
    if (this.failure) return;
    this.failure = reason;
    this.channel.close();
    for (const w of this.waiting.splice(0)) w.reject(reason);
    this.failedNow?.();
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  private failedNow: (() => void) | undefined;
  private failed(): Promise<void> {
    return new Promise((resolve) => {
      this.failedNow = resolve;
      if (this.failure) resolve();
    });
  }

  private deliver(m: VerticalMessage): void {
    const w = this.waiting.shift();
    if (w) {
      w.resolve(m);
      return;
    }
    if (this.inbox.length >= MAX_INBOX)
      throw new PsiChannelError(`the peer sent more than ${MAX_INBOX} messages ahead of the protocol`);
    this.inbox.push(m);
  }
}
