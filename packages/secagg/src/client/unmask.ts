import { describeIndex, isIndex } from '../config.js';
import type { ShareOf, UnmaskRequest, UnmaskResponse } from '../messages.js';
import { fail, type Self, type SharePair } from './stage.js';

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
