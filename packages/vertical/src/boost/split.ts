/**
 * The XGBoost split search over bin histograms: for a node with gradient sum G and hessian sum H, a split
 * sending bins <= t left has gain (GL^2/(HL+lambda) + GR^2/(HR+lambda) - G^2/(H+lambda)) / 2; both children
 * need a hessian sum of at least minChildWeight. Shared by the plaintext reference and the SecureBoost guest.
 */
export interface Histogram {
  /** Gradient sum per bin. */
  readonly g: Float64Array;
  /** Hessian sum per bin. */
  readonly h: Float64Array;
}

export interface SplitCandidate {
  readonly gain: number;
  /** Index of the histogram (feature) in the list searched. */
  readonly feature: number;
  /** Bins <= threshold go left. */
  readonly threshold: number;
}

/** Leaf weight -G/(H + lambda) (before the learning rate). */
export function leafWeight(g: number, h: number, lambda: number): number {
  return -g / (h + lambda);
}

/**
 * The best split over `histograms` (strictly positive gain; ties go to the earliest feature, then the lowest
 * threshold), or undefined when none qualifies.
 */
export function bestSplit(
  histograms: readonly Histogram[],
  lambda: number,
  minChildWeight: number,
): SplitCandidate | undefined {
  let best: SplitCandidate | undefined;
  const eps = 1e-9;
  histograms.forEach((hist, feature) => {
    let gTotal = 0;
    let hTotal = 0;
    for (let b = 0; b < hist.g.length; b++) {
      gTotal += hist.g[b]!;
      hTotal += hist.h[b]!;
    }
    const parent = (gTotal * gTotal) / (hTotal + lambda);
    let gl = 0;
    let hl = 0;
    for (let t = 0; t < hist.g.length - 1; t++) {
      gl += hist.g[t]!;
      hl += hist.h[t]!;
      const gr = gTotal - gl;
      const hr = hTotal - hl;
      if (hl < minChildWeight || hr < minChildWeight) continue;
      const gain = ((gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent) / 2;
      if (gain > eps && (best === undefined || gain > best.gain + eps)) best = { gain, feature, threshold: t };
    }
  });
  return best;
}
