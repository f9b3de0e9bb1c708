// Server stage 5 (r4): collects the unmasking shares and removes the masks.
import {
  addPrgWordsMany,
  keyAgreementPairFromSecret,
  constantTimeEqual,
  shamirCombine,
  SHARE_BYTES,
  type Share,
} from '@tessera/crypto';
import { describeIndex, isIndex, maskSign, pairwiseSeed } from '../config.js';
import { SecAggError } from '../errors.js';
import type { AdvertiseKeys, ConsistencyCheckRequest, ShareOf, UnmaskRequest, UnmaskResponse } from '../messages.js';

import { push, type Round, sorted, ServerStage, type MaskedInputMode } from './round.js';

/** Stage 5: forwards the consistency signatures, collects the shares and removes the masks. */
export class ServerUnmask extends ServerStage {
  private readonly dropped: ReadonlySet<number>;
  private readonly selfMaskShares = new Map<number, Share[]>();
  private readonly maskingKeyShares = new Map<number, Share[]>();
  private readonly responders = new Set<number>();

  /** @internal Created by `ServerConsistencyCheck.close`. */
  constructor(
    protected readonly round: Round,
    private readonly advertisements: ReadonlyMap<number, AdvertiseKeys>,
    private readonly survivors: ReadonlySet<number>,
    /** What every survivor was asked to sign (sorted lists). */
    private readonly request: ConsistencyCheckRequest,
    /** U4: the survivors that signed it, with their signatures. */
    private readonly signatures: ReadonlyMap<number, Uint8Array>,
    /** The sum of the plaintext masked inputs; undefined in sealed mode. */
    private readonly maskedSum: Uint32Array | undefined,
  ) {
    super();
    this.dropped = new Set(request.dropped);
  }

  /** The round's masked-input mode: 'sealed' when the masked inputs arrived through `receiveSealed`. */
  get mode(): MaskedInputMode {
    return this.maskedSum ? 'plain' : 'sealed';
  }

  /** U3 (whose inputs are in the sum) and U2 \ U3, sorted: the set every signer signed. */
  survivorSet(): ConsistencyCheckRequest {
    return { survivors: [...this.request.survivors], dropped: [...this.request.dropped] };
  }

  /** U4: the survivors that signed the survivor set, sorted; only they are asked to unmask. */
  get signers(): number[] {
    return sorted(this.signatures.keys());
  }

  /** For signer i: the signatures of its neighbours in U4, sorted by signer (i's own it knows). */
  unmaskRequest(i: number): UnmaskRequest {
    if (!this.signatures.has(i))
      throw new SecAggError(
        'unknown-participant',
        `participant ${describeIndex(i)} did not sign the survivor set in this round`,
        isIndex(this.round.config.n, i) ? i : undefined,
      );
    return {
      signatures: this.round.config.graph
        .neighbours(i)
        .filter((w) => this.signatures.has(w))
        .map((w) => ({ signer: w, signature: this.signatures.get(w)!.slice() })),
    };
  }

  /** The survivors that answered so far, sorted. */
  get responded(): number[] {
    return sorted(this.responders);
  }

  receive(msg: UnmaskResponse): void {
    const from = msg?.index;
    this.checkOpen('Unmask', from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.signatures.has(from))
      this.round.reject(
        'unknown-participant',
        `Unmask response from participant ${describeIndex(from)}, which did not sign the survivor set`,
        isIndex(config.n, from) ? from : undefined,
      );
    if (this.responders.has(from)) this.round.reject('duplicate', `Unmask: participant ${from} already answered`, from);
    const selfMask = this.checkShares(from, msg.selfMaskShares, this.survivors, 'self-mask', true);
    const maskingKey = this.checkShares(from, msg.maskingKeyShares, this.dropped, 'masking-key', false);
    for (const { of, share } of selfMask) push(this.selfMaskShares, of, share);
    for (const { of, share } of maskingKey) push(this.maskingKeyShares, of, share);
    this.responders.add(from);
    this.round.stats.accepted.unmask++;
  }

  private checkShares(
    from: number,
    list: readonly ShareOf[],
    allowed: ReadonlySet<number>,
    kind: string,
    selfAllowed: boolean,
  ): ShareOf[] {
    const { config } = this.round;
    if (!Array.isArray(list))
      this.round.reject(
        'bad-share',
        `Unmask response from participant ${from}: the ${kind} shares are not a list`,
        from,
      );
    const seen = new Set<number>();
    const out: ShareOf[] = [];
    for (const item of list) {
      const of = item?.of;
      if (!isIndex(config.n, of))
        this.round.reject(
          'unknown-participant',
          `Unmask response from participant ${from}: ` +
            `a ${kind} share of ${describeIndex(of)}, not in 0..${config.n - 1}`,
          from,
        );
      if (!allowed.has(of)) {
        this.round.reject(
          'bad-share',
          `Unmask response from participant ${from}: a ${kind} share of participant ${of}, ` +
            `which is not ${selfAllowed ? 'a survivor' : 'dropped'}`,
          from,
        );
      }
      if (!(of === from ? selfAllowed : config.graph.isNeighbour(from, of))) {
        this.round.reject(
          'not-neighbour',
          `Unmask response from participant ${from}: a ${kind} share of participant ${of}, which is not its neighbour`,
          from,
        );
      }
      if (seen.has(of))
        this.round.reject(
          'duplicate',
          `Unmask response from participant ${from}: two ${kind} shares of participant ${of}`,
          from,
        );
      const share = item.share;
      if (!share || share.x !== from + 1 || !(share.y instanceof Uint8Array) || share.y.length !== SHARE_BYTES - 2) {
        this.round.reject(
          'bad-share',
          `Unmask response from participant ${from}: ` +
            `the ${kind} share of participant ${of} is malformed or not at x = ${from + 1}`,
          from,
        );
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
    if (!this.maskedSum)
      throw new SecAggError(
        'wrong-mode',
        'the masked inputs of this round were sealed, ' +
          'so the server holds no plaintext sum to unmask; use maskCorrection()',
      );
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
        if (have < t)
          throw new SecAggError('too-few', `participant ${v}'s ${kind}: ${have} shares, the threshold is ${t}`, v);
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
          throw new SecAggError(
            'bad-share',
            `participant ${v}'s masking key shares recombine to a key that is not the one it advertised`,
            v,
          );
        }
        return [v, secret];
      });
      const m = config.modulus;
      // Each survivor u added +PRG(b_u).
      addPrgWordsMany(
        target,
        selfMaskSeeds,
        m,
        selfMaskSeeds.map(() => sign),
      );
      for (const [v, maskingKey] of maskingKeys) {
        // Survivor w added maskSign(w, v) * PRG(s_{w,v}); v's own masked input never arrived. One dropped participant's
        // seeds at a time, added together (on the complete graph that is hundreds of them), then wiped.
        const survivors = config.graph.neighbours(v).filter((w) => this.survivors.has(w));
        const seeds = survivors.map((w) =>
          pairwiseSeed(config.roundId, maskingKey, this.advertisements.get(w)!.maskingKey),
        );
        try {
          addPrgWordsMany(
            target,
            seeds,
            m,
            survivors.map((w) => (maskSign(w, v) === sign ? 1 : -1)),
          );
        } finally {
          for (const seed of seeds) seed.fill(0);
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
      throw new SecAggError(
        'bad-share',
        `participant ${v}'s ${kind} shares do not recombine (${(e as Error).message})`,
        v,
      );
    }
  }
}
