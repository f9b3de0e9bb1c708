/**
 * Choosing the SecAgg+ graph degree k and Shamir threshold t for n participants (Bell et al., CCS 2020,
 * section 4), from a dropout rate delta and a corrupt fraction gamma, for a malicious server. See README.md for the
 * derivation and the limits of the bound.
 *
 * The malicious-server condition: a participant v's secrets are shared among its k neighbours and itself (k + 1
 * holders). A server that tells some holders that v survived and others that v dropped collects self-mask shares of v
 * from the first group and masking-key shares from the second; each honest holder gives one kind only, while c
 * corrupt holders give both. Both reach t only if 2t <= k + 1 + c. So t is chosen with 2t - 1 > k + c, c the corrupt
 * neighbours: exactly, c = floor(n * gamma), for the complete graph; with probability 1 - 2^-securityBits over all
 * participants for a sparse one. No consistency check can do better while a round with t survivors still finishes
 * (README.md, "A malicious server").
 */

export interface ParameterRequest {
  /** Participants in the round. */
  readonly n: number;
  /** Fraction of participants expected to drop out at some point of the round, in [0, 1). */
  readonly dropoutRate: number;
  /** Fraction of participants that may collude with the server, in [0, 1). */
  readonly corruptFraction: number;
  /** Privacy target: log2 of the acceptable probability of a leak is at most -securityBits. Default 40. */
  readonly securityBits?: number;
  /**
   * Correctness target: log2 of the acceptable probability of a failed round is at most -correctnessBits. Default 40.
   */
  readonly correctnessBits?: number;
  /**
   * The smallest threshold the caller accepts (the coordinator passes the job's minParticipants, at most n): t is
   * raised to it, at most to k + 1, and the bounds returned are those of the raised t. Raising t never helps a split.
   */
  readonly minThreshold?: number;
}

export interface Parameters {
  /** True when every participant is every other's neighbour (the graph is `completeGraph(n)`). */
  readonly complete: boolean;
  /** Neighbours per participant: n - 1 for the complete graph, else an even k < n - 1 for `harary(n, k, seed)`. */
  readonly degree: number;
  /** Shamir threshold t. */
  readonly threshold: number;
  /** Upper bound on log2 P[some survivor or dropped participant keeps fewer than t live neighbours]; at most 0. */
  readonly failureProbabilityLog2: number;
  /**
   * Upper bound on log2 P[the server and its colluders learn something beyond the sum]: some honest
   * participant has 2t - 1 - k or more corrupt neighbours (enough for a split of its shares; t or more, enough to
   * unmask it outright, is a special case), or the honest survivors' subgraph is disconnected. At most 0;
   * -Infinity when it cannot happen under the stated corrupt fraction (the complete graph with 2t - 1 > k + the
   * colluders).
   */
  readonly leakProbabilityLog2: number;
}

/** Below this many participants the complete graph is used: a sparse graph saves little and needs k close to n. */
export const SPARSE_MINIMUM_PARTICIPANTS = 30;

const LN2 = Math.LN2;

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

const lnFactorials: number[] = [0];
function lnFactorial(m: number): number {
  // The table starts with ln 0! and grows to m before the read, so both indices are in range.
  for (let j = lnFactorials.length; j <= m; j++) lnFactorials.push(lnFactorials[j - 1]! + Math.log(j));
  return lnFactorials[m]!;
}

/** ln P[X = i] for X ~ Binomial(k, p), i = 0..k, exactly in log space (no underflow). */
function lnBinomialPmf(k: number, p: number): Float64Array {
  const out = new Float64Array(k + 1);
  const lnP = Math.log(p);
  const lnQ = Math.log1p(-p);
  for (let i = 0; i <= k; i++) {
    const a = i === 0 ? 0 : i * lnP; // 0 * ln 0 = 0
    const b = i === k ? 0 : (k - i) * lnQ;
    out[i] = lnFactorial(k) - lnFactorial(i) - lnFactorial(k - i) + a + b;
  }
  return out;
}

/** ln P[X >= t] for t = 0..k+1 (summed from the top, so small tails keep full relative precision). */
function lnUpperTails(k: number, p: number): Float64Array {
  const pmf = lnBinomialPmf(k, p);
  const out = new Float64Array(k + 2);
  out[k + 1] = -Infinity;
  for (let t = k; t >= 0; t--) out[t] = logAddExp(out[t + 1]!, pmf[t]!); // out: k + 2 entries, pmf: k + 1
  out[0] = 0;
  return out;
}

/** ln P[X < t] for t = 0..k+1 (summed from the bottom). */
function lnLowerTails(k: number, p: number): Float64Array {
  const pmf = lnBinomialPmf(k, p);
  const out = new Float64Array(k + 2);
  out[0] = -Infinity;
  for (let t = 1; t <= k + 1; t++) out[t] = logAddExp(out[t - 1]!, pmf[t - 1]!); // out: k + 2 entries, pmf: k + 1
  out[k + 1] = 0;
  return out;
}

function checkProbability(what: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what} must be a probability in [0, 1], got ${p}`);
}
function checkTail(k: number, p: number, t: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`binomial trials must be a non-negative integer, got ${k}`);
  checkProbability('binomial success probability', p);
  if (!Number.isInteger(t)) throw new RangeError(`binomial tail point must be an integer, got ${t}`);
}

/** log2 P[Binomial(k, p) >= t], exact up to floating-point rounding, including far tails (no underflow). */
export function log2BinomialAtLeast(k: number, p: number, t: number): number {
  checkTail(k, p, t);
  if (t <= 0) return 0;
  if (t > k) return -Infinity;
  return lnUpperTails(k, p)[t]! / LN2; // 1 <= t <= k here
}

/** log2 P[Binomial(k, p) < t]. */
export function log2BinomialBelow(k: number, p: number, t: number): number {
  checkTail(k, p, t);
  if (t <= 0) return -Infinity;
  if (t > k) return 0;
  return lnLowerTails(k, p)[t]! / LN2; // 1 <= t <= k here
}

const capAtZero = (x: number): number => Math.min(0, x);
const log2Sum = (a: number, b: number): number => logAddExp(a * LN2, b * LN2) / LN2;

/**
 * The smallest even degree k < n - 1 (and a threshold t for it) that meets both targets, or the complete
 * graph when n < SPARSE_MINIMUM_PARTICIPANTS or no such k exists. With the complete graph the result may miss
 * the correctness target (`failureProbabilityLog2 > -correctnessBits`): the caller decides whether to run.
 */
export function chooseParameters(request: ParameterRequest): Parameters {
  const { n, dropoutRate: delta, corruptFraction: gamma } = request;
  const securityBits = request.securityBits ?? 40;
  const correctnessBits = request.correctnessBits ?? 40;
  const minThreshold = request.minThreshold ?? 2;
  if (!Number.isInteger(n) || n < 2 || n > 0xffff) throw new RangeError(`n must be an integer in 2..65535, got ${n}`);
  if (!(delta >= 0 && delta < 1)) throw new RangeError(`dropoutRate must be in [0, 1), got ${delta}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`corruptFraction must be in [0, 1), got ${gamma}`);
  if (!(securityBits > 0) || !(correctnessBits > 0))
    throw new RangeError('securityBits and correctnessBits must be positive');
  if (!Number.isInteger(minThreshold) || minThreshold < 2)
    throw new RangeError(`minThreshold must be an integer of at least 2, got ${minThreshold}`);
  const log2n = Math.log2(n);
  const raise = (k: number, t: number) => Math.min(k + 1, Math.max(t, minThreshold));

  if (n >= SPARSE_MINIMUM_PARTICIPANTS && delta + gamma < 1) {
    // Disconnection bound n * (delta + gamma)^(k/2) <= 2^-securityBits gives a lower bound on k.
    const lnRemoved = Math.log(delta + gamma);
    let kStart = 2;
    if (lnRemoved < 0) {
      const needed = (2 * (-securityBits - log2n) * LN2) / lnRemoved;
      kStart = Math.max(2, 2 * Math.ceil(needed / 2 - 1e-9));
    }
    for (let k = kStart; k < n - 1; k += 2) {
      const disconnect = lnRemoved === -Infinity ? -Infinity : log2n + ((k / 2) * lnRemoved) / LN2;
      if (disconnect > -securityBits) continue;
      const corruptAtLeast = lnUpperTails(k, gamma); // ln P[Bin(k, gamma) >= c]
      const liveBelow = lnLowerTails(k, 1 - delta); // ln P[Bin(k, 1 - delta) < t]
      // Leak and failure bounds of threshold t on degree k; both tables have k + 2 entries, 2t - k - 1 is in 1..k
      // for t in (k + 2) / 2..k, and t is at most k + 1.
      const bounds = (t: number) => ({
        leak: capAtZero(log2Sum(log2n + corruptAtLeast[2 * t - k - 1]! / LN2, disconnect)),
        fail: capAtZero(log2n + liveBelow[t]! / LN2),
      });
      let best: { t: number; leak: number; fail: number; slack: number } | undefined;
      // Below (k + 2) / 2 a split needs no colluder at all.
      for (let t = Math.max(2, Math.ceil((k + 2) / 2)); t <= k; t++) {
        const { leak, fail } = bounds(t);
        if (leak > -securityBits || fail > -correctnessBits) continue;
        const slack = Math.min(-securityBits - leak, -correctnessBits - fail);
        if (!best || slack > best.slack) best = { t, leak, fail, slack };
      }
      if (best) {
        const threshold = raise(k, best.t);
        const { leak, fail } = threshold === best.t ? best : bounds(threshold);
        return {
          complete: false,
          degree: k,
          threshold,
          failureProbabilityLog2: fail,
          leakProbabilityLog2: leak,
        };
      }
    }
  }

  // Complete graph: all colluders are everyone's neighbours, so privacy needs 2t - 1 > (n - 1) + floor(n * gamma)
  // outright; the smallest such t (at least 2) is the one that tolerates the most dropouts. It is at most n.
  const colluders = Math.floor(n * gamma);
  const threshold = raise(n - 1, Math.max(2, Math.floor((n + colluders) / 2) + 1));
  const fail = capAtZero(log2n + log2BinomialBelow(n - 1, 1 - delta, threshold));
  const leak = 2 * threshold - 1 > n - 1 + colluders ? -Infinity : 0;
  return { complete: true, degree: n - 1, threshold, failureProbabilityLog2: fail, leakProbabilityLog2: leak };
}
