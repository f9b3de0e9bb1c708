import type { Random } from '@tessera/crypto';

const TWO_32 = 4294967296;

/**
 * A uniform U in [0, 1) revealed 32 bits at a time: after n words, U lies in [w/2^(32n), (w + 1)/2^(32n)).
 * Comparisons with a value only known through shrinking rational bounds draw more words until they are decided, so the
 * event {U < v} has probability exactly v (for v irrational the loop ends with probability 1).
 */
export class LazyUniform {
  private word = 0n;
  private bits = 0n;

  constructor(
    private readonly rng: Random,
    firstWord?: number,
  ) {
    if (firstWord !== undefined) {
      this.word = BigInt(firstWord);
      this.bits = 32n;
    }
  }

  /** Reveals 32 more bits. */
  refine(): void {
    this.word = (this.word << 32n) | BigInt(this.rng.int(TWO_32));
    this.bits += 32n;
  }

  /**
   * With v known to lie in [lo, hi] = [loNum/loDen, hiNum/hiDen] scaled by factor = fNum/fDen (all >= 0):
   * true if U < factor·lo is certain, false if U >= factor·hi is certain, undefined if the revealed bits cannot tell.
   */
  decide(fNum: bigint, fDen: bigint, loNum: bigint, loDen: bigint, hiNum: bigint, hiDen: bigint): boolean | undefined {
    if (this.bits === 0n) return undefined;
    // U < (w + 1)/2^b <= f·lo   <=>  (w + 1)·fDen·loDen <= fNum·loNum·2^b
    if ((this.word + 1n) * fDen * loDen <= (fNum * loNum) << this.bits) return true;
    // U >= w/2^b >= f·hi        <=>  w·fDen·hiDen >= fNum·hiNum·2^b
    if (this.word * fDen * hiDen >= (fNum * hiNum) << this.bits) return false;
    return undefined;
  }
}
