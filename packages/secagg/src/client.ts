import {
  addPrgWords,
  decodeShare,
  encodeShare,
  generateKeyAgreementPair,
  open,
  seal,
  shamirSplit,
  sign,
  signingKeyPairFromSecret,
  constantTimeEqual,
  verify,
  type KeyAgreementPair,
  type Share,
  SHARE_BYTES,
} from '@tessera/crypto';
import { randomBytes } from 'node:crypto';
import {
  ADVERTISE_CONTEXT,
  advertisedBytes,
  describeIndex,
  identityKeyOf,
  isIndex,
  maskSign,
  pairwiseSeed,
  resolveConfig,
  shareAd,
  shareKey,
  vectorProblem,
  type ResolvedConfig,
  type RoundConfig,
} from './config.js';
import { SecAggError } from './errors.js';
import type {
  AdvertiseKeys,
  IncomingShares,
  MaskedInput,
  ShareKeys,
  ShareOf,
  UnmaskRequest,
  UnmaskResponse,
} from './messages.js';

/** What every client stage knows about itself. */
interface Self {
  readonly config: ResolvedConfig;
  readonly index: number;
}

/** A neighbour that advertised valid keys, with the secrets this client derived for it. */
interface Peer {
  readonly advertisement: AdvertiseKeys;
  /** AES-256-GCM key for the shares exchanged with this neighbour. */
  readonly shareKey: Uint8Array;
  /** s_{u,v}, the pairwise mask seed. */
  readonly maskSeed: Uint8Array;
}

interface SharePair {
  readonly selfMask: Share;
  readonly maskingKey: Share;
}

const PLAINTEXT_BYTES = 2 * SHARE_BYTES;

function fail(
  self: Self,
  code: ConstructorParameters<typeof SecAggError>[0],
  message: string,
  participant?: number,
): never {
  throw new SecAggError(code, `participant ${self.index}: ${message}`, participant);
}

/** A stage object may move on once; using it afterwards is refused with 'replay'. */
abstract class ClientStage {
  private moved = false;
  protected abstract readonly self: Self;

  /** The participant's index in the round. */
  get index(): number {
    return this.self.index;
  }

  protected checkNotMoved(what: string): void {
    if (this.moved) fail(this.self, 'replay', `${what} was already done in this stage; use the state it returned`);
  }

  protected moveOn(): void {
    this.moved = true;
  }
}

/**
 * Stage 1 (AdvertiseKeys). Holds the participant's fresh X25519 pairs (c_u for encryption, s_u for masking).
 * Send `advertise()` to the server, then give `receiveKeys` what the server forwards.
 */
export class ClientAdvertiseKeys extends ClientStage {
  protected readonly self: Self;
  private readonly encryption: KeyAgreementPair = generateKeyAgreementPair();
  private readonly masking: KeyAgreementPair = generateKeyAgreementPair();
  private readonly message: AdvertiseKeys;

  constructor(config: RoundConfig, index: number, identitySecretKey: Uint8Array) {
    super();
    const resolved = resolveConfig(config);
    if (!isIndex(resolved.n, index))
      throw new RangeError(`participant index ${describeIndex(index)} is not in 0..${resolved.n - 1}`);
    const identity = signingKeyPairFromSecret(identitySecretKey);
    if (!constantTimeEqual(identity.publicKey, identityKeyOf(resolved, index))) {
      throw new RangeError(
        `the identity secret key does not belong to participant ${index} (its public key differs from identityKeys[${index}])`,
      );
    }
    this.self = { config: resolved, index };
    const { encryption, masking } = this;
    const signature = sign(
      ADVERTISE_CONTEXT,
      advertisedBytes(resolved.roundId, index, encryption.publicKey, masking.publicKey),
      identity.secretKey,
    );
    this.message = Object.freeze({
      index,
      encryptionKey: encryption.publicKey,
      maskingKey: masking.publicKey,
      signature,
    });
  }

  /** The signed advertisement (the same object on every call). */
  advertise(): AdvertiseKeys {
    return this.message;
  }

  /**
   * The advertisements the server forwards: entries of non-neighbours and the client's own are ignored; every
   * neighbour's entry must be signed by that neighbour's identity key for this round. Needs at least t - 1
   * advertising neighbours (t share holders with this client), as Bonawitz et al. abort below t.
   */
  receiveKeys(list: readonly AdvertiseKeys[]): ClientShareKeys {
    this.checkNotMoved('receiveKeys');
    const { config, index } = this.self;
    if (!Array.isArray(list)) fail(this.self, 'unknown-participant', 'the forwarded keys are not a list');
    const peers = new Map<number, Peer>();
    const seenKeys = new Set<string>([hex(this.message.encryptionKey), hex(this.message.maskingKey)]);
    for (const ad of list) {
      const j = ad?.index;
      if (!isIndex(config.n, j))
        fail(
          this.self,
          'unknown-participant',
          `forwarded keys name participant ${describeIndex(j)}, not in 0..${config.n - 1}`,
          undefined,
        );
      if (j === index || !config.graph.isNeighbour(index, j)) continue;
      if (peers.has(j)) fail(this.self, 'duplicate', `keys of participant ${j} were forwarded twice`, j);
      if (
        !(ad.encryptionKey instanceof Uint8Array) ||
        ad.encryptionKey.length !== 32 ||
        !(ad.maskingKey instanceof Uint8Array) ||
        ad.maskingKey.length !== 32
      ) {
        fail(this.self, 'wrong-length', `keys of participant ${j} are not two 32-byte X25519 public keys`, j);
      }
      if (
        !(ad.signature instanceof Uint8Array) ||
        !verify(
          ADVERTISE_CONTEXT,
          advertisedBytes(config.roundId, j, ad.encryptionKey, ad.maskingKey),
          ad.signature,
          identityKeyOf(config, j),
        )
      ) {
        fail(
          this.self,
          'bad-signature',
          `keys of participant ${j} are not signed by its identity key for this round`,
          j,
        );
      }
      for (const key of [ad.encryptionKey, ad.maskingKey]) {
        const h = hex(key);
        if (seenKeys.has(h))
          fail(
            this.self,
            'duplicate',
            `participant ${j} advertised a public key that another participant also uses`,
            j,
          );
        seenKeys.add(h);
      }
      let derived: Pick<Peer, 'shareKey' | 'maskSeed'>;
      try {
        derived = {
          shareKey: shareKey(config.roundId, this.encryption.secretKey, ad.encryptionKey),
          maskSeed: pairwiseSeed(config.roundId, this.masking.secretKey, ad.maskingKey),
        };
      } catch (e) {
        fail(this.self, 'bad-key', `participant ${j} advertised an unusable X25519 key (${(e as Error).message})`, j);
      }
      peers.set(j, {
        advertisement: {
          index: j,
          encryptionKey: ad.encryptionKey,
          maskingKey: ad.maskingKey,
          signature: ad.signature,
        },
        ...derived,
      });
    }
    if (peers.size + 1 < config.threshold) {
      fail(
        this.self,
        'too-few',
        `only ${peers.size} neighbours advertised keys; with this participant that is ${peers.size + 1} share holders, the threshold is ${config.threshold}`,
      );
    }
    this.moveOn();
    return new ClientShareKeys(this.self, this.masking, peers);
  }
}

/**
 * Stage 2 (ShareKeys). Draws the self-mask seed b_u and Shamir-shares b_u and s_u^SK among the advertising
 * neighbours and itself (x = index + 1). Send `shareKeys()`, then give `receiveShares` the ciphertexts the
 * server forwards.
 */
export class ClientShareKeys extends ClientStage {
  private readonly selfMaskSeed = new Uint8Array(randomBytes(32));
  private message: ShareKeys | undefined;
  private ownShares: SharePair | undefined;

  /** @internal Created by `ClientAdvertiseKeys.receiveKeys`. */
  constructor(
    protected readonly self: Self,
    private readonly masking: KeyAgreementPair,
    private readonly peers: ReadonlyMap<number, Peer>,
  ) {
    super();
  }

  /** The neighbours whose keys were accepted (this client's view of U1 and N(u)), sorted. */
  get advertisedNeighbours(): number[] {
    return [...this.peers.keys()].sort((a, b) => a - b);
  }

  /** The encrypted shares, one per advertising neighbour (the same message on every call). */
  shareKeys(): ShareKeys {
    if (this.message) return this.message;
    const { config, index } = this.self;
    const holders = [index, ...this.peers.keys()].sort((a, b) => a - b);
    const xs = holders.map((v) => v + 1);
    const selfMask = shamirSplit(this.selfMaskSeed, config.threshold, xs);
    const maskingKey = shamirSplit(this.masking.secretKey, config.threshold, xs);
    const shares: { to: number; ciphertext: Uint8Array }[] = [];
    holders.forEach((v, i) => {
      // shamirSplit returns one share per evaluation point, and xs has one point per holder.
      const pair: SharePair = { selfMask: selfMask[i]!, maskingKey: maskingKey[i]! };
      if (v === index) {
        this.ownShares = pair;
        return;
      }
      const plaintext = new Uint8Array(PLAINTEXT_BYTES);
      plaintext.set(encodeShare(pair.selfMask), 0);
      plaintext.set(encodeShare(pair.maskingKey), SHARE_BYTES);
      shares.push({
        to: v,
        ciphertext: seal(this.peers.get(v)!.shareKey, plaintext, shareAd(config.roundId, index, v)),
      });
      plaintext.fill(0);
    });
    this.message = Object.freeze({ index, shares: Object.freeze(shares) });
    return this.message;
  }

  /**
   * The ciphertexts addressed to this client from the neighbours that sent shares (this client's view of
   * U2 and N(u)). Each must come from an advertising neighbour, once, and decrypt under the pairwise key with
   * this round's associated data. At least t - 1 are needed.
   */
  receiveShares(incoming: readonly IncomingShares[]): ClientMaskedInput {
    this.checkNotMoved('receiveShares');
    const { config, index } = this.self;
    if (!Array.isArray(incoming)) fail(this.self, 'bad-share', 'the forwarded shares are not a list');
    const received = new Map<number, SharePair>();
    for (const item of incoming) {
      const from = item?.from;
      if (!isIndex(config.n, from))
        fail(
          this.self,
          'unknown-participant',
          `shares from participant ${describeIndex(from)}, not in 0..${config.n - 1}`,
        );
      if (from === index || !config.graph.isNeighbour(index, from))
        fail(this.self, 'not-neighbour', `shares from participant ${from}, which is not a neighbour`, from);
      const peer = this.peers.get(from);
      if (!peer)
        fail(this.self, 'unknown-participant', `shares from neighbour ${from}, which did not advertise keys`, from);
      if (received.has(from))
        fail(this.self, 'duplicate', `shares from participant ${from} were forwarded twice`, from);
      const plaintext =
        item.ciphertext instanceof Uint8Array
          ? open(peer.shareKey, item.ciphertext, shareAd(config.roundId, from, index))
          : undefined;
      if (!plaintext)
        fail(
          this.self,
          'bad-share',
          `the share ciphertext from participant ${from} fails authentication (tampered, or from another round)`,
          from,
        );
      let pair: SharePair;
      try {
        if (plaintext.length !== PLAINTEXT_BYTES) throw new Error(`${plaintext.length} bytes`);
        pair = {
          selfMask: decodeShare(plaintext.subarray(0, SHARE_BYTES)),
          maskingKey: decodeShare(plaintext.subarray(SHARE_BYTES)),
        };
      } catch (e) {
        fail(
          this.self,
          'bad-share',
          `the shares from participant ${from} are malformed (${(e as Error).message})`,
          from,
        );
      }
      if (pair.selfMask.x !== index + 1 || pair.maskingKey.x !== index + 1) {
        fail(
          this.self,
          'bad-share',
          `the shares from participant ${from} are not evaluated at this participant's point ${index + 1}`,
          from,
        );
      }
      received.set(from, pair);
    }
    if (received.size + 1 < config.threshold) {
      fail(
        this.self,
        'too-few',
        `only ${received.size} neighbours sent shares; with this participant that is ${received.size + 1}, the threshold is ${config.threshold}`,
      );
    }
    this.shareKeys(); // draws the own shares if the message was not built yet
    const maskSeeds = new Map<number, Uint8Array>();
    for (const v of received.keys()) maskSeeds.set(v, this.peers.get(v)!.maskSeed);
    this.moveOn();
    const next = new ClientMaskedInput(this.self, this.selfMaskSeed, maskSeeds, this.ownShares!, received);
    this.masking.secretKey.fill(0); // shared out; only the shares are needed from now on
    return next;
  }
}

/** Stage 3 (MaskedInput): masks the input once. */
export class ClientMaskedInput extends ClientStage {
  /** @internal Created by `ClientShareKeys.receiveShares`. */
  constructor(
    protected readonly self: Self,
    private readonly selfMaskSeed: Uint8Array,
    /** s_{u,v} for v in U2 and N(u) */
    private readonly maskSeeds: ReadonlyMap<number, Uint8Array>,
    private readonly ownShares: SharePair,
    private readonly received: ReadonlyMap<number, SharePair>,
  ) {
    super();
  }

  /** This client's view of U2 and N(u): the neighbours whose shares it holds, sorted. */
  get sharingNeighbours(): number[] {
    return [...this.received.keys()].sort((a, b) => a - b);
  }

  /**
   * y = x + PRG(b_u) + sum over v in U2 and N(u) of sign(u, v) PRG(s_{u,v}), mod the modulus. Once only:
   * two masked inputs under one mask would reveal their difference.
   */
  mask(x: Uint32Array): { message: MaskedInput; next: ClientUnmask } {
    this.checkNotMoved('mask');
    const { config, index } = this.self;
    const problem = vectorProblem(config, x);
    if (problem) fail(this.self, problem.code, `the input ${problem.message}`, index);
    const y = Uint32Array.from(x);
    addPrgWords(y, this.selfMaskSeed, config.modulus, 1);
    for (const [v, seed] of this.maskSeeds) addPrgWords(y, seed, config.modulus, maskSign(index, v));
    this.moveOn();
    this.selfMaskSeed.fill(0);
    for (const seed of this.maskSeeds.values()) seed.fill(0);
    return { message: { index, y }, next: new ClientUnmask(this.self, this.ownShares, this.received) };
  }
}

/**
 * Stage 4 (Unmask). Reveals, for each participant, either the self-mask share (it survived) or the
 * masking-key share (it dropped), never both: the choice is remembered across requests.
 */
export class ClientUnmask {
  private readonly revealedSelfMask = new Set<number>();
  private readonly revealedMaskingKey = new Set<number>();

  /** @internal Created by `ClientMaskedInput.mask`. */
  constructor(
    private readonly self: Self,
    private readonly ownShares: SharePair,
    private readonly received: ReadonlyMap<number, SharePair>,
  ) {}

  get index(): number {
    return this.self.index;
  }

  /**
   * Answers the server's request. Refuses ('both-shares-requested') an index in both lists, this client
   * listed as dropped (it sent its masked input), or a participant whose other share this client revealed in
   * an earlier request; refuses fewer than t survivors ('too-few'). May be called again (a server retry) under
   * the same rules; each call's answer stands on its own.
   */
  unmask(request: UnmaskRequest): { message: UnmaskResponse; next: ClientDone } {
    const { config, index } = this.self;
    const survivors = this.checkList(request?.survivors, 'survivors');
    const dropped = this.checkList(request?.dropped, 'dropped');
    for (const v of dropped) {
      if (survivors.has(v))
        fail(this.self, 'both-shares-requested', `participant ${v} is listed both as a survivor and as dropped`, v);
    }
    if (dropped.has(index))
      fail(
        this.self,
        'both-shares-requested',
        'this participant is listed as dropped, but it sent its masked input',
        index,
      );
    for (const v of dropped) {
      if (this.revealedSelfMask.has(v))
        fail(
          this.self,
          'both-shares-requested',
          `participant ${v} is listed as dropped, but its self-mask share was revealed in an earlier request`,
          v,
        );
    }
    for (const v of survivors) {
      if (this.revealedMaskingKey.has(v))
        fail(
          this.self,
          'both-shares-requested',
          `participant ${v} is listed as a survivor, but its masking-key share was revealed in an earlier request`,
          v,
        );
    }
    if (survivors.size < config.threshold)
      fail(this.self, 'too-few', `only ${survivors.size} survivors, the threshold is ${config.threshold}`);
    for (const v of [...survivors, ...dropped]) {
      if (v !== index && config.graph.isNeighbour(index, v) && !this.received.has(v)) {
        fail(
          this.self,
          'unknown-participant',
          `participant ${v} is listed in the unmask request, but it sent no shares to this neighbour`,
          v,
        );
      }
    }
    const selfMaskShares: ShareOf[] = [];
    const maskingKeyShares: ShareOf[] = [];
    for (const v of [...survivors].sort((a, b) => a - b)) {
      if (v === index) selfMaskShares.push({ of: v, share: this.ownShares.selfMask });
      else if (this.received.has(v)) selfMaskShares.push({ of: v, share: this.received.get(v)!.selfMask });
    }
    for (const v of [...dropped].sort((a, b) => a - b)) {
      if (this.received.has(v)) maskingKeyShares.push({ of: v, share: this.received.get(v)!.maskingKey });
    }
    for (const s of selfMaskShares) this.revealedSelfMask.add(s.of);
    for (const s of maskingKeyShares) this.revealedMaskingKey.add(s.of);
    return {
      message: { index, selfMaskShares, maskingKeyShares },
      next: new ClientDone(
        index,
        [...this.revealedSelfMask].sort((a, b) => a - b),
        [...this.revealedMaskingKey].sort((a, b) => a - b),
      ),
    };
  }

  private checkList(list: unknown, name: string): Set<number> {
    if (!Array.isArray(list)) fail(this.self, 'unknown-participant', `the unmask request's ${name} is not a list`);
    const out = new Set<number>();
    for (const v of list) {
      if (!isIndex(this.self.config.n, v))
        fail(
          this.self,
          'unknown-participant',
          `the unmask request's ${name} names ${describeIndex(v)}, not in 0..${this.self.config.n - 1}`,
        );
      if (out.has(v)) fail(this.self, 'duplicate', `the unmask request's ${name} lists participant ${v} twice`, v);
      out.add(v);
    }
    return out;
  }
}

/** The end of the client's round: what it revealed, for its audit log. */
export class ClientDone {
  constructor(
    readonly index: number,
    /** Participants whose self-mask share this client revealed. */
    readonly revealedSelfMaskShares: readonly number[],
    /** Participants whose masking-key share this client revealed. */
    readonly revealedMaskingKeyShares: readonly number[],
  ) {}
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
