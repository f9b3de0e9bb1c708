/**
 * The L2 sensitivity Δ of every differentially private release of a job, in quantised units, in
 * one place: the coordinator sizes its noise with it (σ = z·Δ) and a participant recomputes it
 * to check the noise it is asked to add. Every bound below is over the integer vector one
 * participant contributes to the ring sum, before noise, and holds whatever the coordinator
 * knows, because nothing it knows decides which records are used or how they are rounded.
 *
 * The argument, shared by all releases (coupling): a participant draws its secret randomness
 * per record, in record order (a selection key and a rounding stream each, `RecordRandomness`),
 * plus one stream for the whole release. Compare D with D ∪ {x}, x drawn last: give the records
 * they share the same draws. For every fixed value of the draws the release is a deterministic
 * function of the data plus Gaussian noise, and the bounds below hold for that function; the
 * draws have the same distribution under both data sets, so the mixture over them is as private
 * as each Gaussian mechanism with sensitivity Δ. (Were the draws known to the coordinator, as a
 * seed it chose, the coupling would fail: adding x reshuffles every row.)
 *
 * Stochastic rounding of a real a with a uniform draw u is floor(a + u); for the same u,
 * |floor(a + u) − floor(b + u)| ≤ ceil(|a − b|) < |a − b| + 1. Rounding one vector moves it by
 * less than √length; rounding two vectors with the same draws moves their difference by less
 * than √length.
 *
 * Floating point: every sum that enters a release is exact (integers, or multiples of 2^-24
 * far below 2^53), and what remains are single multiplications per value (relative error
 * 2^-53 on magnitudes below 2^31, so at most 2^-22 of a quantisation step each) and the grid
 * rounding of squared moments (relative 2^-25). `FLOAT_SLACK` multiplies every bound by
 * 1 + 2^-20, which covers them all; it changes σ by one part in a million.
 */
const FLOAT_SLACK = 1 + 2 ** -20;

/**
 * What is released, in the numbers the bound needs:
 * - `record-fit` (DP-FedSGD, unit record): the sum over the participant's records, at most
 *   maxRecords of them chosen by smallest secret keys, of each record's gradient clipped to L2
 *   `clip`, scaled so that `clip` maps to `level` and rounded stochastically per record, plus a
 *   count coordinate of `countWeight` per record; `gradientLength` gradient coordinates.
 * - `participant-fit` (DP-FedAvg, unit participant): the participant's model delta clipped to
 *   `clip`, scaled so that `clip` maps to `level`, rounded stochastically, `length` coordinates;
 *   its weight coordinate is sent as 0 (decoding divides by the public survivor count).
 * - `statistics` (a private statistics release, `length` coordinates): every record adds a vector
 *   of L2 norm at most `unitNorm`, and two records' vectors differ by at most `replaceNorm`
 *   (default 2·unitNorm, the triangle inequality); unit record sums at most maxRecords records
 *   chosen by smallest secret keys, unit participant sends their mean; the result is scaled by
 *   `level` and rounded stochastically once.
 */
export type ReleaseShape =
  | { kind: 'record-fit'; level: number; gradientLength: number; countWeight: number }
  | { kind: 'participant-fit'; level: number; length: number }
  | {
      kind: 'statistics';
      unit: 'record' | 'participant';
      level: number;
      length: number;
      unitNorm: number;
      replaceNorm?: number;
    };

export class SensitivityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SensitivityError';
  }
}

function check(name: string, v: number, integer = false): void {
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
    throw new SensitivityError(
      `release sensitivity: ${name} must be a ` +
        `finite ${integer ? 'non-negative integer' : 'non-negative number'}, got ${v}`,
    );
  }
}

/**
 * The L2 sensitivity of one release (see ReleaseShape), in quantised units. Neighbouring data
 * sets differ by one record (unit record: added, removed, or, under the fixed-size selection,
 * swapped for another) or by one participant's whole data (unit participant: present or absent).
 *
 * record-fit. One record's vector is (round(s), w) with ||s|| ≤ level, so ||round(s)|| < level + √g.
 * Under the coupling, S(D ∪ {x}) − S(D) is one of:
 *   - n < maxRecords (every record used, also after x): x's vector, norm < sqrt((level + √g)² + w²);
 *   - n ≥ maxRecords and x's key among the smallest: x's vector less the displaced record's, with
 *     equal counts, norm < 2(level + √g);
 *   - otherwise nothing.
 * The coordinator cannot tell which case a participant is in, so Δ is the larger: 2(level + √g)
 * for any count weight up to √3·(level + √g). The count coordinate therefore costs nothing at
 * full weight (w = level), which keeps the decoded record count as precise as it can be.
 *
 * participant-fit. The participant's vector is round(s) clamped to ±level per coordinate with
 * ||s|| ≤ level, and a zero weight coordinate: present or absent, Δ = level + √length.
 *
 * statistics, unit record. The real sums a(D), a(D ∪ {x}) differ by x's vector (≤ unitNorm,
 * when every record is used) or by x's less a displaced record's (≤ replaceNorm); scaled by
 * level and rounded with the same draws: Δ = level·max(unitNorm, replaceNorm) + √length.
 *
 * statistics, unit participant. The mean of vectors of norm ≤ unitNorm has norm ≤ unitNorm;
 * present or absent: Δ = level·unitNorm + √length.
 */
export function releaseSensitivity(r: ReleaseShape): number {
  check('level', r.level);
  switch (r.kind) {
    case 'record-fit': {
      check('gradientLength', r.gradientLength, true);
      check('countWeight', r.countWeight);
      const one = r.level + Math.sqrt(r.gradientLength);
      return FLOAT_SLACK * Math.max(2 * one, Math.hypot(one, r.countWeight));
    }
    case 'participant-fit':
      check('length', r.length, true);
      return FLOAT_SLACK * (r.level + Math.sqrt(r.length));
    case 'statistics': {
      check('length', r.length, true);
      check('unitNorm', r.unitNorm);
      const replace = r.replaceNorm ?? 2 * r.unitNorm;
      check('replaceNorm', replace);
      const norm = r.unit === 'record' ? Math.max(r.unitNorm, replace) : r.unitNorm;
      return FLOAT_SLACK * (r.level * norm + Math.sqrt(r.length));
    }
  }
}
