import { AEAD_OVERHEAD, addPrgWords, agree, keyAgreementPairFromSecret, constantTimeEqual, shamirCombine, SHARE_BYTES, verify, type Share } from '@tessera/crypto';
import {
  ADVERTISE_CONTEXT,
  advertisedBytes,
  describeIndex,
  identityKeyOf,
  isIndex,
  maskSign,
  pairwiseSeed,
  resolveConfig,
  vectorProblem,
  type ResolvedConfig,
  type RoundConfig,
} from './config.js';
import { SecAggError, type SecAggErrorCode } from './errors.js';
import type { AdvertiseKeys, IncomingShares, MaskedInput, ShareKeys, ShareOf, UnmaskRequest, UnmaskResponse } from './messages.js';

/** Counts for the round report. */
export interface ServerStats {
  /** Messages accepted per stage. */
  readonly accepted: { advertiseKeys: number; shareKeys: number; maskedInput: number; unmask: number };
  /** Messages rejected, by error code. */
  readonly rejected: Partial<Record<SecAggErrorCode, number>>;
}

/** Shared by all stages of one server round. */
class Round {
  readonly stats: ServerStats = { accepted: { advertiseKeys: 0, shareKeys: 0, maskedInput: 0, unmask: 0 }, rejected: {} };
  constructor(readonly config: ResolvedConfig) {}

  /** Counts a rejected message and throws. */
  reject(code: SecAggErrorCode, message: string, participant?: number): never {
    this.stats.rejected[code] = (this.stats.rejected[code] ?? 0) + 1;
    throw new SecAggError(code, message, participant);
  }

  snapshot(): ServerStats {
    return { accepted: { ...this.stats.accepted }, rejected: { ...this.stats.rejected } };
  }
}

const PROBE_SECRET = new Uint8Array(32).fill(7);
const SHARE_CIPHERTEXT_BYTES = AEAD_OVERHEAD + 2 * SHARE_BYTES;
const sorted = (xs: Iterable<number>): number[] => [...xs].sort((a, b) => a - b);

abstract class ServerStage {
  private closed = false;
  protected abstract readonly round: Round;

  /** Counts of accepted and rejected messages so far in this round (all stages). */
  stats(): ServerStats {
    return this.round.snapshot();
  }

  protected checkOpen(stage: string, from: unknown): void {
    if (this.closed) this.round.reject('replay', `${stage} message from participant ${describeIndex(from)}: the stage is closed`, typeof from === 'number' ? from : undefined);
  }

  protected checkNotClosed(stage: string): void {
    if (this.closed) throw new SecAggError('replay', `${stage} was already closed; use the state close() returned`);
  }

  protected markClosed(): void {
    this.closed = true;
  }

  protected requireAtLeast(count: number, what: string): void {
    const t = this.round.config.threshold;
    if (count < t) throw new SecAggError('too-few', `${what}: ${count}, the threshold is ${t}`);
  }
}

/** Stage 1: collects the participants' signed key advertisements (U1). */
export class ServerAdvertiseKeys extends ServerStage {
  protected readonly round: Round;
  private readonly advertisements = new Map<number, AdvertiseKeys>();
  /** Public keys (hex) already advertised, and by whom: public keys are not secret. */
  private readonly keyOwners = new Map<string, number>();

  constructor(config: RoundConfig) {
    super();
    this.round = new Round(resolveConfig(config));
  }

  receive(msg: AdvertiseKeys): void {
    const from = msg?.index;
    this.checkOpen('AdvertiseKeys', from);
    const { config } = this.round;
    if (!isIndex(config.n, from)) this.round.reject('unknown-participant', `AdvertiseKeys from participant ${describeIndex(from)}, not in 0..${config.n - 1}`);
    if (this.advertisements.has(from)) this.round.reject('duplicate', `AdvertiseKeys: participant ${from} already advertised keys`, from);
    const { encryptionKey, maskingKey, signature } = msg;
    if (!(encryptionKey instanceof Uint8Array) || encryptionKey.length !== 32 || !(maskingKey instanceof Uint8Array) || maskingKey.length !== 32) {
      this.round.reject('wrong-length', `AdvertiseKeys from participant ${from}: the keys are not two 32-byte X25519 public keys`, from);
    }
    if (!(signature instanceof Uint8Array) || !verify(ADVERTISE_CONTEXT, advertisedBytes(config.roundId, from, encryptionKey, maskingKey), signature, identityKeyOf(config, from))) {
      this.round.reject('bad-signature', `AdvertiseKeys from participant ${from}: the signature does not verify under its identity key for this round`, from);
    }
    for (const key of [encryptionKey, maskingKey]) {
      try {
        agree(PROBE_SECRET, key);
      } catch {
        this.round.reject('bad-key', `AdvertiseKeys from participant ${from}: a public key is of low order`, from);
      }
    }
    const encHex = hex(encryptionKey);
    const maskHex = hex(maskingKey);
    if (encHex === maskHex) this.round.reject('duplicate', `AdvertiseKeys from participant ${from}: both keys are the same`, from);
    for (const h of [encHex, maskHex]) {
      const owner = this.keyOwners.get(h);
      if (owner !== undefined) this.round.reject('duplicate', `AdvertiseKeys from participant ${from}: a public key equals one of participant ${owner}'s`, from);
    }
    this.keyOwners.set(encHex, from);
    this.keyOwners.set(maskHex, from);
    this.advertisements.set(from, Object.freeze({ index: from, encryptionKey: encryptionKey.slice(), maskingKey: maskingKey.slice(), signature: signature.slice() }));
    this.round.stats.accepted.advertiseKeys++;
  }

  /** The participants that advertised so far, sorted. */
  get advertised(): number[] {
    return sorted(this.advertisements.keys());
  }

  /** Ends stage 1 with U1 = the participants that advertised; needs at least t. */
  close(): ServerShareKeys {
    this.checkNotClosed('AdvertiseKeys');
    this.requireAtLeast(this.advertisements.size, 'participants that advertised keys');
    this.markClosed();
    return new ServerShareKeys(this.round, new Map(this.advertisements));
  }
}

/** Stage 2: forwards the keys, collects the encrypted shares (U2). */
export class ServerShareKeys extends ServerStage {
  private readonly outgoing = new Map<number, readonly { to: number; ciphertext: Uint8Array }[]>();

  /** @internal Created by `ServerAdvertiseKeys.close`. */
  constructor(
    protected readonly round: Round,
    /** U1 */
    private readonly advertisements: ReadonlyMap<number, AdvertiseKeys>,
  ) {
    super();
  }

  /** U1, sorted. */
  get advertised(): number[] {
    return sorted(this.advertisements.keys());
  }

  /** The advertisements of i's neighbours in U1, for i in U1, sorted by index. */
  forwardedKeys(i: number): AdvertiseKeys[] {
    if (!this.advertisements.has(i)) throw new SecAggError('unknown-participant', `participant ${describeIndex(i)} did not advertise keys in this round`, isIndex(this.round.config.n, i) ? i : undefined);
    return this.round.config.graph.neighbours(i).filter((j) => this.advertisements.has(j)).map((j) => this.advertisements.get(j)!);
  }

  /** A participant's encrypted shares: one ciphertext for each of its neighbours in U1, no more, no less. */
  receive(msg: ShareKeys): void {
    const from = msg?.index;
    this.checkOpen('ShareKeys', from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.advertisements.has(from)) this.round.reject('unknown-participant', `ShareKeys from participant ${describeIndex(from)}, which did not advertise keys`, isIndex(config.n, from) ? from : undefined);
    if (this.outgoing.has(from)) this.round.reject('duplicate', `ShareKeys: participant ${from} already sent its shares`, from);
    if (!Array.isArray(msg.shares)) this.round.reject('wrong-length', `ShareKeys from participant ${from}: shares is not a list`, from);
    const seen = new Set<number>();
    for (const item of msg.shares) {
      const to = item?.to;
      if (!isIndex(config.n, to)) this.round.reject('unknown-participant', `ShareKeys from participant ${from}: a share addressed to ${describeIndex(to)}, not in 0..${config.n - 1}`, from);
      if (to === from || !config.graph.isNeighbour(from, to) || !this.advertisements.has(to)) {
        this.round.reject('not-neighbour', `ShareKeys from participant ${from}: a share addressed to participant ${to}, which is not a neighbour that advertised keys`, from);
      }
      if (seen.has(to)) this.round.reject('duplicate', `ShareKeys from participant ${from}: two shares addressed to participant ${to}`, from);
      if (!(item.ciphertext instanceof Uint8Array) || item.ciphertext.length !== SHARE_CIPHERTEXT_BYTES) {
        this.round.reject('wrong-length', `ShareKeys from participant ${from}: the ciphertext for participant ${to} is not ${SHARE_CIPHERTEXT_BYTES} bytes`, from);
      }
      seen.add(to);
    }
    const missing = this.forwardedKeys(from).map((a) => a.index).filter((j) => !seen.has(j));
    if (missing.length > 0) this.round.reject('too-few', `ShareKeys from participant ${from}: no shares for advertised neighbours ${missing.join(', ')}`, from);
    this.outgoing.set(from, Object.freeze(msg.shares.map((s) => Object.freeze({ to: s.to, ciphertext: s.ciphertext.slice() }))));
    this.round.stats.accepted.shareKeys++;
  }

  /** The participants that sent shares so far, sorted. */
  get shared(): number[] {
    return sorted(this.outgoing.keys());
  }

  /** Ends stage 2 with U2 = the participants that sent shares; needs at least t. */
  close(): ServerMaskedInput {
    this.checkNotClosed('ShareKeys');
    this.requireAtLeast(this.outgoing.size, 'participants that sent shares');
    this.markClosed();
    const inbox = new Map<number, IncomingShares[]>();
    for (const from of sorted(this.outgoing.keys())) {
      inbox.set(from, inbox.get(from) ?? []);
      for (const { to, ciphertext } of this.outgoing.get(from)!) {
        const list = inbox.get(to) ?? [];
        list.push({ from, ciphertext });
        inbox.set(to, list);
      }
    }
    return new ServerMaskedInput(this.round, this.advertisements, new Set(this.outgoing.keys()), inbox);
  }
}

/**
 * How the masked inputs of a round reach the server: as plaintext vectors it sums (`receive`), or sealed
 * (encrypted under the analyst's BFV key and summed homomorphically outside this package: `receiveSealed`).
 * The first accepted masked input fixes the mode of the round.
 */
export type MaskedInputMode = 'plain' | 'sealed';

/** Stage 3: forwards the shares, sums the masked inputs as they arrive (U3); memory O(dimension). */
export class ServerMaskedInput extends ServerStage {
  /** The running sum of plaintext masked inputs; allocated with the first one (never in sealed mode). */
  private sum: Uint32Array | undefined;
  private readonly received = new Set<number>();
  private currentMode: MaskedInputMode | undefined;

  /** @internal Created by `ServerShareKeys.close`. */
  constructor(
    protected readonly round: Round,
    private readonly advertisements: ReadonlyMap<number, AdvertiseKeys>,
    /** U2 */
    private readonly sharers: ReadonlySet<number>,
    private readonly inbox: ReadonlyMap<number, readonly IncomingShares[]>,
  ) {
    super();
  }

  /** U2, sorted. */
  get shared(): number[] {
    return sorted(this.sharers);
  }

  /** The mode fixed by the first accepted masked input, or undefined before it. */
  get mode(): MaskedInputMode | undefined {
    return this.currentMode;
  }

  /** The ciphertexts addressed to i (in U2) by the members of U2, sorted by sender. */
  sharesFor(i: number): IncomingShares[] {
    if (!this.sharers.has(i)) throw new SecAggError('unknown-participant', `participant ${describeIndex(i)} did not send shares in this round`, isIndex(this.round.config.n, i) ? i : undefined);
    return [...(this.inbox.get(i) ?? [])];
  }

  /** The checks every masked input goes through, plaintext or sealed; returns the sender. */
  private checkSender(stage: string, from: unknown, mode: MaskedInputMode): number {
    this.checkOpen(stage, from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.sharers.has(from)) this.round.reject('unknown-participant', `${stage} from participant ${describeIndex(from)}, which did not send shares`, isIndex(config.n, from) ? from : undefined);
    if (this.received.has(from)) this.round.reject('duplicate', `${stage}: participant ${from} already sent its masked input`, from);
    if (this.currentMode !== undefined && this.currentMode !== mode) {
      this.round.reject('wrong-mode', `${stage} from participant ${from}: this round's masked inputs are ${this.currentMode === 'sealed' ? 'sealed (use receiveSealed)' : 'plaintext (use receive)'}`, from);
    }
    return from;
  }

  private accept(from: number, mode: MaskedInputMode): void {
    this.currentMode = mode;
    this.received.add(from);
    this.round.stats.accepted.maskedInput++;
  }

  /** A plaintext masked input y (masked mode): checked (length, entries below the modulus) and added to the running sum. */
  receive(msg: MaskedInput): void {
    const from = this.checkSender('MaskedInput', msg?.index, 'plain');
    const { config } = this.round;
    const problem = vectorProblem(config, msg.y);
    if (problem) this.round.reject(problem.code, `MaskedInput from participant ${from}: the vector ${problem.message}`, from);
    const sum = (this.sum ??= new Uint32Array(config.dimension));
    const y = msg.y;
    const m = config.modulus;
    // vectorProblem checked y.length === dimension === sum.length, so every i is in range for both.
    if (m === 2 ** 32) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i]! + y[i]!) >>> 0;
    else {
      for (let i = 0; i < sum.length; i++) {
        const s = sum[i]! + y[i]!;
        sum[i] = s >= m ? s - m : s;
      }
    }
    this.accept(from, 'plain');
  }

  /**
   * Sealed mode: participant `index` sent its masked input encrypted, and the caller sums the ciphertexts
   * itself (this package never sees them). The same checks as `receive` for the sender (it sent shares, has
   * not sent a masked input yet, the stage is open, the round is not in plaintext mode); the vector itself
   * cannot be checked here. `absorb`, if given, runs after those checks and before the participant is
   * counted: add the ciphertexts to the homomorphic accumulator there (for example
   * `() => accumulator.addVector(chunks)`), so that a refused sender is never added and ciphertexts that
   * fail to load leave the participant out of U3 (the error of `absorb` is rethrown, nothing is recorded).
   */
  receiveSealed(index: number, absorb?: () => void): void {
    const from = this.checkSender('Sealed MaskedInput', index, 'sealed');
    absorb?.();
    this.accept(from, 'sealed');
  }

  /** The participants whose masked input arrived so far, sorted. */
  get masked(): number[] {
    return sorted(this.received);
  }

  /** Ends stage 3 with U3 = the participants whose masked input arrived; needs at least t. */
  close(): ServerUnmask {
    this.checkNotClosed('MaskedInput');
    this.requireAtLeast(this.received.size, 'participants that sent masked inputs');
    this.markClosed();
    const maskedSum = this.currentMode === 'plain' ? this.sum! : undefined;
    return new ServerUnmask(this.round, this.advertisements, new Set(this.received), sorted(this.sharers).filter((v) => !this.received.has(v)), maskedSum);
  }
}

/** Stage 4: collects the shares and removes the masks. */
export class ServerUnmask extends ServerStage {
  private readonly survivors: ReadonlySet<number>;
  private readonly dropped: ReadonlySet<number>;
  private readonly request: UnmaskRequest;
  private readonly selfMaskShares = new Map<number, Share[]>();
  private readonly maskingKeyShares = new Map<number, Share[]>();
  private readonly responders = new Set<number>();

  /** @internal Created by `ServerMaskedInput.close`. */
  constructor(
    protected readonly round: Round,
    private readonly advertisements: ReadonlyMap<number, AdvertiseKeys>,
    survivors: ReadonlySet<number>,
    dropped: readonly number[],
    /** The sum of the plaintext masked inputs; undefined in sealed mode. */
    private readonly maskedSum: Uint32Array | undefined,
  ) {
    super();
    this.survivors = survivors;
    this.dropped = new Set(dropped);
    this.request = Object.freeze({ survivors: Object.freeze(sorted(survivors)), dropped: Object.freeze([...dropped]) });
  }

  /** The round's masked-input mode: 'sealed' when the masked inputs arrived through `receiveSealed`. */
  get mode(): MaskedInputMode {
    return this.maskedSum ? 'plain' : 'sealed';
  }

  /** The same request for every member of U3: survivors = U3, dropped = U2 \ U3. */
  unmaskRequest(): UnmaskRequest {
    return { survivors: [...this.request.survivors], dropped: [...this.request.dropped] };
  }

  /** The survivors that answered so far, sorted. */
  get responded(): number[] {
    return sorted(this.responders);
  }

  receive(msg: UnmaskResponse): void {
    const from = msg?.index;
    this.checkOpen('Unmask', from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.survivors.has(from)) this.round.reject('unknown-participant', `Unmask response from participant ${describeIndex(from)}, which is not a survivor`, isIndex(config.n, from) ? from : undefined);
    if (this.responders.has(from)) this.round.reject('duplicate', `Unmask: participant ${from} already answered`, from);
    const selfMask = this.checkShares(from, msg.selfMaskShares, this.survivors, 'self-mask', true);
    const maskingKey = this.checkShares(from, msg.maskingKeyShares, this.dropped, 'masking-key', false);
    for (const { of, share } of selfMask) push(this.selfMaskShares, of, share);
    for (const { of, share } of maskingKey) push(this.maskingKeyShares, of, share);
    this.responders.add(from);
    this.round.stats.accepted.unmask++;
  }

  private checkShares(from: number, list: readonly ShareOf[], allowed: ReadonlySet<number>, kind: string, selfAllowed: boolean): ShareOf[] {
    const { config } = this.round;
    if (!Array.isArray(list)) this.round.reject('bad-share', `Unmask response from participant ${from}: the ${kind} shares are not a list`, from);
    const seen = new Set<number>();
    const out: ShareOf[] = [];
    for (const item of list) {
      const of = item?.of;
      if (!isIndex(config.n, of)) this.round.reject('unknown-participant', `Unmask response from participant ${from}: a ${kind} share of ${describeIndex(of)}, not in 0..${config.n - 1}`, from);
      if (!allowed.has(of)) {
        this.round.reject('bad-share', `Unmask response from participant ${from}: a ${kind} share of participant ${of}, which is not ${selfAllowed ? 'a survivor' : 'dropped'}`, from);
      }
      if (!(of === from ? selfAllowed : config.graph.isNeighbour(from, of))) {
        this.round.reject('not-neighbour', `Unmask response from participant ${from}: a ${kind} share of participant ${of}, which is not its neighbour`, from);
      }
      if (seen.has(of)) this.round.reject('duplicate', `Unmask response from participant ${from}: two ${kind} shares of participant ${of}`, from);
      const share = item.share;
      if (!share || share.x !== from + 1 || !(share.y instanceof Uint8Array) || share.y.length !== SHARE_BYTES - 2) {
        this.round.reject('bad-share', `Unmask response from participant ${from}: the ${kind} share of participant ${of} is malformed or not at x = ${from + 1}`, from);
      }
      seen.add(of);
      out.push({ of, share: { x: share.x, y: share.y.slice() } });
    }
    return out;
  }

  /**
   * The sum of the survivors' inputs mod the modulus (plaintext mode): the masked sum minus
   * `maskCorrection()`. Needs t responses and t shares of every survivor's self-mask seed and every dropped
   * participant's masking key; throws 'too-few' (changing nothing, so more responses may still be received)
   * otherwise. In a sealed round, throws 'wrong-mode' (changing nothing): use `maskCorrection()`.
   */
  finish(): Uint32Array {
    this.checkNotClosed('Unmask');
    if (!this.maskedSum) throw new SecAggError('wrong-mode', 'the masked inputs of this round were sealed, so the server holds no plaintext sum to unmask; use maskCorrection()');
    const result = this.maskedSum.slice();
    this.applyMasks(result, -1);
    this.markClosed();
    return result;
  }

  /**
   * The mask correction C, mod the modulus: the survivors' self masks PRG(b_u), plus, for every dropped
   * participant v (in U2, not in U3), the pairwise masks sign(w, v) PRG(s_{w,v}) that its surviving
   * neighbours w added. The sum of the survivors' masked inputs minus C is the sum of their inputs, so in
   * sealed mode the coordinator subtracts C (as a plaintext) from the homomorphic sum of the masked inputs,
   * and only the analyst, who decrypts, sees the sum. Needs no masked vector: it works in either mode. Same
   * requirements and 'too-few' refusal as `finish()`; ends the stage like `finish()` (the seeds and keys
   * are recombined once, then wiped).
   */
  maskCorrection(): Uint32Array {
    this.checkNotClosed('Unmask');
    const correction = new Uint32Array(this.round.config.dimension);
    this.applyMasks(correction, 1);
    this.markClosed();
    return correction;
  }

  /**
   * target += sign * (the masks in the survivors' inputs), mod the modulus: sign -1 unmasks a masked sum,
   * sign +1 builds the mask correction. Recombines and checks every secret before it expands any, so a
   * refusal ('too-few', 'bad-share') comes before the PRG work and leaves the stage as it was.
   */
  private applyMasks(target: Uint32Array, sign: 1 | -1): void {
    const { config } = this.round;
    const t = config.threshold;
    this.requireAtLeast(this.responders.size, 'survivors that answered the unmask request');
    for (const [kind, ids, shares] of [
      ['self-mask seed', this.request.survivors, this.selfMaskShares],
      ['masking key', this.request.dropped, this.maskingKeyShares],
    ] as const) {
      for (const v of ids) {
        const have = shares.get(v)?.length ?? 0;
        if (have < t) throw new SecAggError('too-few', `participant ${v}'s ${kind}: ${have} shares, the threshold is ${t}`, v);
      }
    }
    const secrets: Uint8Array[] = [];
    try {
      const selfMaskSeeds = this.request.survivors.map((v) => {
        const seed = this.combine(v, this.selfMaskShares.get(v)!, 'self-mask seed');
        secrets.push(seed);
        return seed;
      });
      const maskingKeys = this.request.dropped.map((v): [number, Uint8Array] => {
        const secret = this.combine(v, this.maskingKeyShares.get(v)!, 'masking key');
        secrets.push(secret);
        if (!constantTimeEqual(keyAgreementPairFromSecret(secret).publicKey, this.advertisements.get(v)!.maskingKey)) {
          throw new SecAggError('bad-share', `participant ${v}'s masking key shares recombine to a key that is not the one it advertised`, v);
        }
        return [v, secret];
      });
      const m = config.modulus;
      // Each survivor u added +PRG(b_u).
      for (const seed of selfMaskSeeds) addPrgWords(target, seed, m, sign);
      for (const [v, maskingKey] of maskingKeys) {
        for (const w of config.graph.neighbours(v)) {
          if (!this.survivors.has(w)) continue;
          // Survivor w added maskSign(w, v) * PRG(s_{w,v}); v's own masked input never arrived.
          const seed = pairwiseSeed(config.roundId, maskingKey, this.advertisements.get(w)!.maskingKey);
          addPrgWords(target, seed, m, maskSign(w, v) === sign ? 1 : -1);
          seed.fill(0);
        }
      }
    } finally {
      for (const s of secrets) s.fill(0);
    }
  }

  private combine(v: number, shares: Share[], kind: string): Uint8Array {
    try {
      return shamirCombine(shares, this.round.config.threshold);
    } catch (e) {
      throw new SecAggError('bad-share', `participant ${v}'s ${kind} shares do not recombine (${(e as Error).message})`, v);
    }
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function push(map: Map<number, Share[]>, key: number, share: Share): void {
  const list = map.get(key);
  if (list) list.push(share);
  else map.set(key, [share]);
}
