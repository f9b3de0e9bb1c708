/**
 * Growing one regression tree on gradients and hessians, level by level, with the split search and the row
 * partition supplied by the caller: the plaintext reference searches its own histograms, the SecureBoost guest
 * searches decrypted bin sums from every party and asks a host to partition at a host split.
 */
import type { BoostConfig } from './config.js';
import { leafWeight } from './split.js';

export type Tree<S> =
  | { readonly leaf: number }
  | { readonly split: S; readonly left: Tree<S>; readonly right: Tree<S> };

/** What a caller decides for one node's rows: a split and the rows that go left, or none (make a leaf). */
export interface NodeSplit<S> {
  readonly split: S;
  /** The subset of the node's rows that goes left (the rest go right). */
  readonly left: Uint32Array;
  /** The rest of the node's rows (computed when absent). */
  readonly right?: Uint32Array;
}

export type SplitFinder<S> = (rows: Uint32Array, node: number, depth: number) => NodeSplit<S> | undefined;

/** The same, for a caller that must ask another party (the SecureBoost guest asks its hosts over a link). */
export type AsyncSplitFinder<S> = (
  rows: Uint32Array,
  node: number,
  depth: number,
) => Promise<NodeSplit<S> | undefined> | NodeSplit<S> | undefined;

/** A leaf's weight, -G/(H + lambda) times the learning rate, over `rows`. */
function leafOf(rows: Uint32Array, g: ArrayLike<number>, h: ArrayLike<number>, config: BoostConfig): number {
  let gs = 0;
  let hs = 0;
  for (const r of rows) {
    gs += g[r]!;
    hs += h[r]!;
  }
  return config.learningRate * leafWeight(gs, hs, config.lambda);
}

/**
 * Grows a tree of at most `config.depth` levels, depth first, numbering nodes in the order they are visited;
 * leaf weights are -G/(H + lambda) times the learning rate. Synchronous: the plaintext reference.
 */
export function growTreeSync<S>(
  rows: Uint32Array,
  g: ArrayLike<number>,
  h: ArrayLike<number>,
  config: BoostConfig,
  find: SplitFinder<S>,
  onLeaf?: (rows: Uint32Array, weight: number) => void,
): Tree<S> {
  let nextNode = 0;
  const grow = (nodeRows: Uint32Array, depth: number): Tree<S> => {
    const node = nextNode++;
    const found = depth < config.depth ? find(nodeRows, node, depth) : undefined;
    if (!found) {
      const weight = leafOf(nodeRows, g, h, config);
      onLeaf?.(nodeRows, weight);
      return { leaf: weight };
    }
    const right = found.right ?? complement(nodeRows, found.left);
    return { split: found.split, left: grow(found.left, depth + 1), right: grow(right, depth + 1) };
  };
  return grow(rows, 0);
}

/**
 * growTreeSync with a split finder that may wait (for a host's answer): the same nodes in the same order, so the
 * same tree for the same decisions.
 */
export async function growTree<S>(
  rows: Uint32Array,
  g: ArrayLike<number>,
  h: ArrayLike<number>,
  config: BoostConfig,
  find: AsyncSplitFinder<S>,
  onLeaf?: (rows: Uint32Array, weight: number) => void,
): Promise<Tree<S>> {
  let nextNode = 0;
  const grow = async (nodeRows: Uint32Array, depth: number): Promise<Tree<S>> => {
    const node = nextNode++;
    const found = depth < config.depth ? await find(nodeRows, node, depth) : undefined;
    if (!found) {
      const weight = leafOf(nodeRows, g, h, config);
      onLeaf?.(nodeRows, weight);
      return { leaf: weight };
    }
    const right = found.right ?? complement(nodeRows, found.left);
    const left = await grow(found.left, depth + 1);
    return { split: found.split, left, right: await grow(right, depth + 1) };
  };
  return grow(rows, 0);
}

/** The sum of the leaf weights reached by `goesLeft` decisions, one per tree. */
export function walkTree<S>(tree: Tree<S>, goesLeft: (split: S) => boolean): number {
  let t = tree;
  while (!('leaf' in t)) t = goesLeft(t.split) ? t.left : t.right;
  return t.leaf;
}

/**
 * Fractional bits of the fixed-point gradients and hessians for `rows` rows: sums of up to `rows` values in
 * [-1, 1] stay below 2^29 units, so they fit a 31-bit plaintext modulus with room for the sign.
 */
export function gradientBits(rows: number): number {
  return Math.max(0, Math.min(24, Math.floor(Math.log2(2 ** 29 / Math.max(1, rows)))));
}

/**
 * Logistic-loss gradient p - y and hessian p(1 - p) of each row from its margin, rounded to multiples of
 * 2^-bits (gradientBits): the plaintext reference and SecureBoost both use these values, so their bin sums
 * (exact in floating point and in BFV) and therefore their splits are identical, ties included.
 */
export function logisticGradients(
  margin: Float64Array,
  labels: ArrayLike<number>,
): { g: Float64Array; h: Float64Array } {
  const g = new Float64Array(margin.length);
  const h = new Float64Array(margin.length);
  const scale = 2 ** gradientBits(margin.length);
  for (let i = 0; i < margin.length; i++) {
    const p = 1 / (1 + Math.exp(-margin[i]!));
    g[i] = Math.round((p - labels[i]!) * scale) / scale;
    h[i] = Math.round(p * (1 - p) * scale) / scale;
  }
  return { g, h };
}

/** log(mean / (1 - mean)) of the labels, clamped away from 0 and 1: the starting margin. */
export function baseMargin(labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += labels[i]!;
  const m = Math.min(1 - 1e-6, Math.max(1e-6, s / Math.max(1, labels.length)));
  return Math.log(m / (1 - m));
}

/** The rows of `all` not in `subset` (both sorted). */
export function complement(all: Uint32Array, subset: Uint32Array): Uint32Array {
  const goesLeft = new Set(subset);
  return all.filter((r) => !goesLeft.has(r));
}
