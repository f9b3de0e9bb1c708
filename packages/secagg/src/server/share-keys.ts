import { describeIndex, isIndex } from '../config.js';
import { SecAggError } from '../errors.js';
import type { AdvertiseKeys, IncomingShares, ShareKeys } from '../messages.js';

import { ServerMaskedInput } from './masked-input.js';
import { type Round, SHARE_CIPHERTEXT_BYTES, sorted, ServerStage } from './round.js';

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
    if (!this.advertisements.has(i))
      throw new SecAggError(
        'unknown-participant',
        `participant ${describeIndex(i)} did not advertise keys in this round`,
        isIndex(this.round.config.n, i) ? i : undefined,
      );
    return this.round.config.graph
      .neighbours(i)
      .filter((j) => this.advertisements.has(j))
      .map((j) => this.advertisements.get(j)!);
  }

  /** A participant's encrypted shares: one ciphertext for each of its neighbours in U1, no more, no less. */
  receive(msg: ShareKeys): void {
    const from = msg?.index;
    this.checkOpen('ShareKeys', from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.advertisements.has(from))
      this.round.reject(
        'unknown-participant',
        `ShareKeys from participant ${describeIndex(from)}, which did not advertise keys`,
        isIndex(config.n, from) ? from : undefined,
      );
    if (this.outgoing.has(from))
      this.round.reject('duplicate', `ShareKeys: participant ${from} already sent its shares`, from);
    if (!Array.isArray(msg.shares))
      this.round.reject('wrong-length', `ShareKeys from participant ${from}: shares is not a list`, from);
    const seen = new Set<number>();
    for (const item of msg.shares) {
      const to = item?.to;
      if (!isIndex(config.n, to))
        this.round.reject(
          'unknown-participant',
          `ShareKeys from participant ${from}: a share addressed to ${describeIndex(to)}, not in 0..${config.n - 1}`,
          from,
        );
      if (to === from || !config.graph.isNeighbour(from, to) || !this.advertisements.has(to)) {
        this.round.reject(
          'not-neighbour',
          `ShareKeys from participant ${from}: a share addressed to participant ${to}, ` +
            'which is not a neighbour that advertised keys',
          from,
        );
      }
      if (seen.has(to))
        this.round.reject(
          'duplicate',
          `ShareKeys from participant ${from}: two shares addressed to participant ${to}`,
          from,
        );
      if (!(item.ciphertext instanceof Uint8Array) || item.ciphertext.length !== SHARE_CIPHERTEXT_BYTES) {
        this.round.reject(
          'wrong-length',
          `ShareKeys from participant ${from}: ` +
            `the ciphertext for participant ${to} is not ${SHARE_CIPHERTEXT_BYTES} bytes`,
          from,
        );
      }
      seen.add(to);
    }
    const missing = this.forwardedKeys(from)
      .map((a) => a.index)
      .filter((j) => !seen.has(j));
    if (missing.length > 0)
      this.round.reject(
        'too-few',
        `ShareKeys from participant ${from}: no shares for advertised neighbours ${missing.join(', ')}`,
        from,
      );
    this.outgoing.set(
      from,
      Object.freeze(msg.shares.map((s) => Object.freeze({ to: s.to, ciphertext: s.ciphertext.slice() }))),
    );
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
