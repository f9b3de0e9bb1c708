import { describeIndex, isIndex, vectorProblem } from '../config.js';
import { SecAggError } from '../errors.js';
import type { AdvertiseKeys, IncomingShares, MaskedInput } from '../messages.js';

import { ServerConsistencyCheck } from './consistency-check.js';
import { type Round, sorted, ServerStage, type MaskedInputMode } from './round.js';
export type { MaskedInputMode } from './round.js';

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
    if (!this.sharers.has(i))
      throw new SecAggError(
        'unknown-participant',
        `participant ${describeIndex(i)} did not send shares in this round`,
        isIndex(this.round.config.n, i) ? i : undefined,
      );
    return [...(this.inbox.get(i) ?? [])];
  }

  /** The checks every masked input goes through, plaintext or sealed; returns the sender. */
  private checkSender(stage: string, from: unknown, mode: MaskedInputMode): number {
    this.checkOpen(stage, from);
    const { config } = this.round;
    if (!isIndex(config.n, from) || !this.sharers.has(from))
      this.round.reject(
        'unknown-participant',
        `${stage} from participant ${describeIndex(from)}, which did not send shares`,
        isIndex(config.n, from) ? from : undefined,
      );
    if (this.received.has(from))
      this.round.reject('duplicate', `${stage}: participant ${from} already sent its masked input`, from);
    if (this.currentMode !== undefined && this.currentMode !== mode) {
      this.round.reject(
        'wrong-mode',
        `${stage} from participant ${from}: this round's masked inputs ` +
          `are ${this.currentMode === 'sealed' ? 'sealed (use receiveSealed)' : 'plaintext (use receive)'}`,
        from,
      );
    }
    return from;
  }

  private accept(from: number, mode: MaskedInputMode): void {
    this.currentMode = mode;
    this.received.add(from);
    this.round.stats.accepted.maskedInput++;
  }

  /**
   * A plaintext masked input y (masked mode): checked (length, entries below the modulus) and added to the running sum.
   */
  receive(msg: MaskedInput): void {
    const from = this.checkSender('MaskedInput', msg?.index, 'plain');
    const { config } = this.round;
    const problem = vectorProblem(config, msg.y);
    if (problem)
      this.round.reject(problem.code, `MaskedInput from participant ${from}: the vector ${problem.message}`, from);
    this.add(msg.y);
    this.accept(from, 'plain');
  }

  /**
   * The sum (mod the modulus) of the masked inputs of several participants, added elsewhere (a coordinator replica
   * that holds their streams sums them where they arrive): counted as if each had arrived here. A masked sum of a
   * subset reveals nothing the whole sum does not, as each input carries pairwise masks with participants outside
   * the subset as well as its self-mask. Every sender is checked first; nothing is recorded unless all pass.
   */
  receivePartialSum(indices: readonly number[], partial: Uint32Array): void {
    const stage = `partial MaskedInput sum of ${indices.length} participant(s)`;
    if (indices.length === 0) this.round.reject('wrong-length', `${stage}: no participant in it`);
    const seen = new Set<number>();
    for (const from of indices) {
      this.checkSender(stage, from, 'plain');
      if (seen.has(from)) this.round.reject('duplicate', `${stage}: participant ${from} appears twice`, from);
      seen.add(from);
    }
    const problem = vectorProblem(this.round.config, partial);
    if (problem) this.round.reject(problem.code, `${stage}: the vector ${problem.message}`);
    this.add(partial);
    for (const from of indices) this.accept(from, 'plain');
  }

  private add(y: Uint32Array): void {
    const { config } = this.round;
    const sum = (this.sum ??= new Uint32Array(config.dimension));
    const m = config.modulus;
    // vectorProblem checked y.length === dimension === sum.length, so every i is in range for both.
    if (m === 2 ** 32) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i]! + y[i]!) >>> 0;
    else {
      for (let i = 0; i < sum.length; i++) {
        const s = sum[i]! + y[i]!;
        sum[i] = s >= m ? s - m : s;
      }
    }
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
  close(): ServerConsistencyCheck {
    this.checkNotClosed('MaskedInput');
    this.requireAtLeast(this.received.size, 'participants that sent masked inputs');
    this.markClosed();
    const maskedSum = this.currentMode === 'plain' ? this.sum! : undefined;
    return new ServerConsistencyCheck(
      this.round,
      this.advertisements,
      new Set(this.received),
      sorted(this.sharers).filter((v) => !this.received.has(v)),
      maskedSum,
    );
  }
}
