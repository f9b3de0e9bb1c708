/**
 * How distributed noise is split among the participants of a round, so that it holds against the
 * coordinator and up to `corruptFraction` colluding participants (issue 12, "Noise sizing").
 *
 * The round releases only if at least m participants (the survivor floor) contributed. Each
 * adds a discrete Gaussian share of variance σ²/(m − c), c = ⌊γn⌋ the colluders tolerated. Any
 * released sum then carries at least m shares; removing the c shares colluders know of leaves
 * at least (m − c)·σ²/(m − c) = σ², the target. With no dropouts the total is n/(m − c) times the
 * target: the price of tolerating dropouts and collusion, chosen by the job, not by t.
 *
 * Coordinator and participants call these same functions; a participant computes its own share
 * from the signed spec and refuses a task announcing less.
 */

/** The privacy fields of a round that size its noise shares. */
export interface ShareSizing {
  /** Participants in the round's cohort. */
  n: number;
  /** The job's survivor floor m, or undefined for the default. */
  survivorFloor?: number;
  /** Expected share of participants that drop out of a round (secure.dropoutRate). */
  dropoutRate: number;
  /** Share of participants that may collude with the coordinator (secure.corruptFraction). */
  corruptFraction: number;
}

/** c = ⌊γn⌋: colluding participants tolerated in a cohort of n. */
export const tolerableColluders = (n: number, corruptFraction: number): number =>
  Math.floor(corruptFraction * n + 1e-9);

/**
 * The survivor floor m of a round of n: the job's `privacy.survivorFloor`, or by default the
 * participants expected to remain at the job's dropout rate, n − ⌈dropoutRate·n⌉, and never fewer
 * than c + 1 (so honest survivors always carry the noise) or 2.
 */
export function survivorFloor(s: ShareSizing): number {
  const c = tolerableColluders(s.n, s.corruptFraction);
  if (s.survivorFloor !== undefined) return s.survivorFloor;
  return Math.min(s.n, Math.max(2, c + 1, s.n - Math.ceil(s.dropoutRate * s.n - 1e-9)));
}

export class NoiseShareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoiseShareError';
  }
}

/**
 * The integer variance each participant adds: σ²/(m − c) rounded up (distributed), the whole σ²
 * (local: its contribution is private on its own), none (central: the coordinator adds it).
 * Shares of standard deviation below 2 quantisation steps would make the Kairouz–Liu–Steinke
 * term of their sum matter, which the accounting leaves out: refused.
 */
export function noiseShareVariance(
  mode: 'distributed' | 'local' | 'central',
  totalVariance: number,
  s: ShareSizing,
): number {
  if (mode === 'central') return 0;
  if (mode === 'local') return checkedShare(Math.ceil(totalVariance));
  const m = survivorFloor(s);
  const c = tolerableColluders(s.n, s.corruptFraction);
  if (m > s.n)
    throw new NoiseShareError(
      `privacy.survivorFloor = ${m} is above the ${s.n} participants of this round; ` +
        'lower it or connect more participants',
    );
  if (m - c < 1)
    throw new NoiseShareError(
      `privacy.survivorFloor = ${m} does not exceed the ${c} colluders tolerated at ` +
        `secure.corruptFraction ${s.corruptFraction} (n = ${s.n}); raise it`,
    );
  return checkedShare(Math.ceil(totalVariance / (m - c)));
}

function checkedShare(share: number): number {
  if (share < 4) {
    throw new NoiseShareError(
      'job spec: the noise share of each participant would be below 2 quantisation steps; ' +
        'raise secure.bits (or privacy.epsilon is too large to need noise)',
    );
  }
  return share;
}
