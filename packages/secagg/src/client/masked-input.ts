import { addPrgWordsMany } from '@tessera/crypto';
import { maskSign, vectorProblem } from '../config.js';
import type { MaskedInput } from '../messages.js';
import { ClientStage, fail, type Self, type SharePair } from './stage.js';
import { ClientConsistencyCheck } from './consistency-check.js';

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
  mask(x: Uint32Array): { message: MaskedInput; next: ClientConsistencyCheck } {
    this.checkNotMoved('mask');
    const { config, index } = this.self;
    const problem = vectorProblem(config, x);
    if (problem) fail(this.self, problem.code, `the input ${problem.message}`, index);
    const y = Uint32Array.from(x);
    const neighbours = [...this.maskSeeds.keys()];
    addPrgWordsMany(y, [this.selfMaskSeed, ...neighbours.map((v) => this.maskSeeds.get(v)!)], config.modulus, [
      1,
      ...neighbours.map((v) => maskSign(index, v)),
    ]);
    this.moveOn();
    this.selfMaskSeed.fill(0);
    for (const seed of this.maskSeeds.values()) seed.fill(0);
    return { message: { index, y }, next: new ClientConsistencyCheck(this.self, this.ownShares, this.received) };
  }
}
