/**
 * The SecureBoost host's check that the guest's requests in a tree follow the tree's shape, so that the guest learns a
 * host split's rows only for row sets that arise from growing one tree: the root (every training row), then, for each
 * node it splits, the smaller child it asks bin sums for and the larger child (the node's rows minus those). A node's
 * rows are split at most once (by the host, or divided by the guest), each tree has at most 2^depth - 1 divisions,
 * and tree numbers only increase. A guest that follows the protocol never trips it; one that asks for the bins of
 * row sets it chose (single customers, say) is refused.
 */
import { createHash } from 'node:crypto';

const keyOf = (rows: Uint32Array) =>
  createHash('sha256')
    .update(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength))
    .digest('hex');

/** `small` (sorted) is a non-empty proper subset of `rows` (sorted)? */
function properSubset(small: Uint32Array, rows: Uint32Array): boolean {
  if (small.length === 0 || small.length >= rows.length) return false;
  let j = 0;
  for (const r of small) {
    while (j < rows.length && rows[j]! < r) j++;
    if (j === rows.length || rows[j] !== r) return false;
    j++;
  }
  return true;
}

function minus(rows: Uint32Array, small: Uint32Array): Uint32Array {
  const out = new Uint32Array(rows.length - small.length);
  let j = 0;
  let k = 0;
  for (const r of rows) {
    if (j < small.length && small[j] === r) j++;
    else out[k++] = r;
  }
  return out;
}

interface Known {
  readonly rows: Uint32Array;
  /** open: not split yet; host-split: split at a host feature (left rows kept); divided: its children are known. */
  state: 'open' | 'host-split' | 'divided';
  hostLeft?: Uint32Array;
}

export class HostTreeGuard {
  private tree = -1;
  private known = new Map<string, Known>();
  private splits = 0;

  constructor(
    private readonly rows: number,
    private readonly maxDepth: number,
  ) {}

  /** A new tree's gradients: tree numbers increase; the root is every training row. */
  startTree(tree: number): void {
    if (!Number.isInteger(tree) || tree <= this.tree)
      throw new Error(`the guest sent gradients for tree ${tree} after tree ${this.tree}; trees only go forward`);
    this.tree = tree;
    this.splits = 0;
    const root = Uint32Array.from({ length: this.rows }, (_, i) => i);
    this.known = new Map([[keyOf(root), { rows: root, state: 'open' }]]);
  }

  /**
   * Bin sums asked for `rows`: a node's own (node >= 0: a row set of this tree, or no rows at all), or the smaller
   * child of a node just split (node < 0): a proper subset of an open node (the guest split it) or one side of the
   * host's split of a node, which makes both children nodes of the tree.
   */
  histogram(node: number, rows: Uint32Array): void {
    if (node >= 0) {
      if (rows.length > 0 && !this.known.has(keyOf(rows)))
        throw new Error(`histogram-request: node ${node}'s rows are not a node of tree ${this.tree}`);
      return;
    }
    const key = keyOf(rows);
    const parent = [...this.known.values()].find(
      (k) =>
        (k.state === 'open' && properSubset(rows, k.rows)) ||
        (k.state === 'host-split' &&
          (keyOf(k.hostLeft!) === key || keyOf(minus(k.rows, k.hostLeft!)) === key) &&
          properSubset(rows, k.rows)),
    );
    if (!parent) throw new Error(`histogram-request: rows that are no child of a node of tree ${this.tree}`);
    if (parent.state === 'open') this.count();
    parent.state = 'divided';
    for (const child of [rows, minus(parent.rows, rows)])
      if (!this.known.has(keyOf(child))) this.known.set(keyOf(child), { rows: child, state: 'open' });
  }

  /** A split of `rows` at a host feature: the rows of an open node of this tree. */
  split(rows: Uint32Array, left: Uint32Array): void {
    const node = this.known.get(keyOf(rows));
    if (node?.state !== 'open') throw new Error(`split-request: rows that are no open node of tree ${this.tree}`);
    this.count();
    node.state = 'host-split';
    node.hostLeft = left;
  }

  private count(): void {
    if (++this.splits > 2 ** this.maxDepth - 1)
      throw new Error(`more than ${2 ** this.maxDepth - 1} splits in tree ${this.tree} (depth ${this.maxDepth})`);
  }
}
