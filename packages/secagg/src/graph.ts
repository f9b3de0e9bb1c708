import { hkdfSha256, prgWords } from '@tessera/crypto';

/**
 * Who shares secrets with whom. Participant u masks its input with a pairwise mask for every neighbour v,
 * and gives Shamir shares of its secrets to its neighbours (and keeps one itself). The relation is symmetric
 * and irreflexive.
 */
export interface Neighbourhood {
  /** Participants, indexed 0..n-1. */
  readonly n: number;
  /** Every participant's number of neighbours. */
  readonly degree: number;
  /** The neighbours of i in increasing order, without i itself. Do not mutate the array. */
  neighbours(i: number): readonly number[];
  isNeighbour(i: number, j: number): boolean;
}

const MAX_PARTICIPANTS = 0xffff; // Shamir evaluation points are index + 1 in 1..65535

function checkN(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTICIPANTS)
    throw new RangeError(`a graph needs an integer number of nodes in 1..${MAX_PARTICIPANTS}, got ${n}`);
}

function checkNode(n: number, i: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`node ${i} is not in 0..${n - 1}`);
}

class CompleteGraph implements Neighbourhood {
  readonly degree: number;
  constructor(readonly n: number) {
    this.degree = n - 1;
  }
  neighbours(i: number): readonly number[] {
    checkNode(this.n, i);
    const out: number[] = [];
    for (let j = 0; j < this.n; j++) if (j !== i) out.push(j);
    return out;
  }
  isNeighbour(i: number, j: number): boolean {
    checkNode(this.n, i);
    checkNode(this.n, j);
    return i !== j;
  }
}

/** Everyone is everyone's neighbour: the original protocol of Bonawitz et al. (2017). */
export function completeGraph(n: number): Neighbourhood {
  checkN(n);
  return new CompleteGraph(n);
}

class HararyGraph implements Neighbourhood {
  private readonly cache: (readonly number[] | undefined)[];
  constructor(
    readonly n: number,
    readonly degree: number,
    /** node at each position of the cycle */
    private readonly order: Uint32Array,
    /** position of each node */
    private readonly position: Uint32Array,
  ) {
    this.cache = new Array(n);
  }

  neighbours(i: number): readonly number[] {
    checkNode(this.n, i);
    const hit = this.cache[i];
    if (hit) return hit;
    const { n, order } = this;
    // checkNode: 0 <= i < n; position and order have n entries, and every index below is reduced mod n.
    const p = this.position[i]!;
    const out: number[] = [];
    for (let d = 1; d <= this.degree >> 1; d++) {
      out.push(order[(p + d) % n]!, order[(p - d + n) % n]!);
    }
    if (this.degree % 2 === 1) out.push(order[(p + n / 2) % n]!);
    out.sort((a, b) => a - b);
    const frozen = Object.freeze(out);
    this.cache[i] = frozen;
    return frozen;
  }

  isNeighbour(i: number, j: number): boolean {
    checkNode(this.n, i);
    checkNode(this.n, j);
    if (i === j) return false;
    const { n } = this;
    const d = (this.position[j]! - this.position[i]! + n) % n; // checkNode: i, j in 0..n-1
    const ring = Math.min(d, n - d);
    return ring <= this.degree >> 1 || (this.degree % 2 === 1 && ring === n / 2);
  }
}

/**
 * The Harary graph H_{k,n} (the k-connected graph on n nodes with the fewest edges) on a random ordering of
 * the participants: node order[p] is adjacent to order[p +- 1], ..., order[p +- k/2] (mod n) and, for odd k
 * (which needs even n), to order[p + n/2]. The ordering is a Fisher-Yates shuffle driven by the AES-CTR
 * stream of `prgWords` under hkdfSha256(seed, '', 'tessera/secagg/graph', 32), so everyone who knows the
 * seed derives the same graph; the seed should be unpredictable to participants before they enrol in the
 * round (for example derived from the round id), since the privacy bound assumes random neighbourhoods.
 * For k >= n - 1 the result is the complete graph.
 */
export function harary(n: number, k: number, seed: Uint8Array): Neighbourhood {
  checkN(n);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`Harary graph degree must be an integer >= 1, got ${k}`);
  if (k >= n - 1) return completeGraph(n);
  if (k % 2 === 1 && n % 2 === 1)
    throw new RangeError(`a Harary graph of odd degree ${k} needs an even number of nodes, got ${n}`);
  const order = permutation(n, seed);
  const position = new Uint32Array(n);
  for (let p = 0; p < n; p++) position[order[p]!] = p; // order is a permutation of 0..n-1
  return new HararyGraph(n, k, order, position);
}

/**
 * A permutation of 0..n-1 from `seed`: Fisher-Yates, where step i draws j = floor(r * (i + 1) / 2^53) from a
 * 53-bit number r built from two stream words. No rejection, so the stream length is fixed (2 (n - 1) words);
 * the bias is below n / 2^53 per step.
 */
export function permutation(n: number, seed: Uint8Array): Uint32Array {
  checkN(n);
  if (!(seed instanceof Uint8Array) || seed.length === 0)
    throw new RangeError('a graph seed is a non-empty Uint8Array');
  const key = hkdfSha256(seed, new Uint8Array(0), 'tessera/secagg/graph', 32);
  const words = prgWords(key, 2 * Math.max(0, n - 1), 2 ** 32);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // The stream has exactly two words per step, and 0 <= j <= i < n: every index below is in range.
  let w = 0;
  for (let i = n - 1; i > 0; i--) {
    const r = (words[w++]! >>> 5) * 67108864 + (words[w++]! >>> 6); // 27 + 26 bits
    const j = Math.min(i, Math.floor((r / 9007199254740992) * (i + 1)));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Whether the subgraph induced on `nodes` (default: all) is connected; true for zero or one node. */
export function isConnected(graph: Neighbourhood, nodes?: Iterable<number>): boolean {
  const members = new Set<number>(nodes ?? Array.from({ length: graph.n }, (_, i) => i));
  const [start] = members;
  if (start === undefined || members.size === 1) return true;
  const seen = new Set<number>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const u = stack.pop()!;
    for (const v of graph.neighbours(u)) {
      if (members.has(v) && !seen.has(v)) {
        seen.add(v);
        stack.push(v);
      }
    }
  }
  return seen.size === members.size;
}
