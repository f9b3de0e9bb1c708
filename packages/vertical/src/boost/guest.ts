/**
 * The SecureBoost guest: it holds the label and its own features, computes gradients and hessians, encrypts
 * them under its own BFV key, decrypts the hosts' bin sums and picks the best split over every party's bins
 * with the same search as the plaintext reference (split.ts). Leaf weights stay with the guest; a host's
 * split is known to it only as (host, opaque id).
 *
 * Subtraction: after a split, the guest asks each host for the smaller child's bin sums only and derives the
 * larger child's as parent minus smaller (exact, mod p).
 */
import { binFeature, type BinnedFeature } from './binning.js';
import { boostConfig, type BoostConfig } from './config.js';
import { histograms, rowsLeft } from './gbdt.js';
import { GuestCrypto } from './guest-crypto.js';
import { type BoostHeParams, boostHeParams } from './he-context.js';
import type { BoostSetup, EncryptedGradients, HostHello, HostLink } from './messages.js';
import { bestSplit, type Histogram } from './split.js';
import { baseMargin, complement, gradientBits, growTree, logisticGradients, type Tree } from './tree.js';

/** A split as the guest stores it: its own (feature, threshold value), or a host's opaque id. */
export type BoostSplit =
  | { readonly party: 'guest'; readonly feature: number; readonly value: number }
  | { readonly party: 'host'; readonly host: number; readonly split: string };

/** The guest's model: base margin, trees with leaf weights. Host thresholds are not in it. */
export interface GuestBoostModel {
  readonly base: number;
  readonly trees: readonly Tree<BoostSplit>[];
}

/** One host's bin sums for a node: per group, integer class sums of fixed-point gradients and hessians. */
type HostSums = { g: Float64Array; h: Float64Array }[];

export interface GuestStats {
  /** Smallest noise budget (bits) left in any decrypted histogram ciphertext. */
  minNoiseBudget: number;
  histogramCiphertexts: number;
  histogramBytes: number;
  gradientBytes: number;
}

export class SecureBoostGuest {
  readonly config: BoostConfig;
  private readonly binned: BinnedFeature[];
  private readonly margin: Float64Array;
  private readonly base: number;
  private crypto: GuestCrypto | undefined;
  private params: BoostHeParams | undefined;
  private hostFeatures: number[] = [];
  private readonly trees: Tree<BoostSplit>[] = [];
  readonly stats: GuestStats = {
    minNoiseBudget: Infinity,
    histogramCiphertexts: 0,
    histogramBytes: 0,
    gradientBytes: 0,
  };

  constructor(
    private readonly features: readonly ArrayLike<number>[],
    private readonly labels: ArrayLike<number>,
    config: Partial<BoostConfig> = {},
    private readonly classes = 128,
  ) {
    this.config = boostConfig(config);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`labels[${i}] = ${labels[i]}: labels must be 0 or 1`);
    }
    for (const [j, f] of features.entries()) {
      if (f.length !== labels.length)
        throw new Error(`guest feature ${j} has ${f.length} rows, the label has ${labels.length}`);
    }
    this.binned = features.map((f) => binFeature(f, this.config.bins));
    this.base = baseMargin(labels);
    this.margin = new Float64Array(labels.length).fill(this.base);
  }

  /** Generates the key pair and the setup message for the hosts that said hello (in host order). */
  async setup(hellos: readonly HostHello[]): Promise<BoostSetup> {
    if (this.crypto) throw new Error('guest: setup was already done');
    hellos.forEach((h, i) => {
      if (h.host !== i) throw new Error(`guest: hello ${i} is from host ${h.host}; hosts must be numbered 0, 1, ...`);
    });
    this.hostFeatures = hellos.map((h) => h.features);
    this.params = await boostHeParams(this.config.bins, this.classes);
    this.crypto = await GuestCrypto.create(this.params);
    return {
      kind: 'boost-setup',
      params: this.params,
      galoisKey: this.crypto.galoisKey,
      bins: this.config.bins,
      rows: this.labels.length,
    };
  }

  /**
   * Trains all trees, talking to the hosts through `links` (one per host, in host order); `onTree` hears of each
   * finished tree (progress).
   */
  async train(
    links: readonly HostLink[],
    sendGradients: (m: EncryptedGradients) => void | Promise<void>,
    onTree?: (tree: number) => void,
  ): Promise<GuestBoostModel> {
    for (let t = this.trees.length; t < this.config.trees; t++) {
      await this.trainTree(t, links, sendGradients);
      onTree?.(t);
    }
    return this.model();
  }

  model(): GuestBoostModel {
    return { base: this.base, trees: [...this.trees] };
  }

  dispose(): void {
    this.crypto?.dispose();
  }

  private async trainTree(
    tree: number,
    links: readonly HostLink[],
    send: (m: EncryptedGradients) => void | Promise<void>,
  ): Promise<void> {
    const crypto = this.crypto;
    const params = this.params;
    if (!crypto || !params) throw new Error('guest: train before setup');
    if (links.length !== this.hostFeatures.length)
      throw new Error(`guest: ${links.length} host links for ${this.hostFeatures.length} hosts`);
    const n = this.labels.length;
    const { g, h } = logisticGradients(this.margin, this.labels);
    const bits = gradientBits(n);
    // Packed sums must keep |G| and H below 2^29 units (he-context.ts).
    if (n * 2 ** bits > 2 ** 29) throw new Error(`guest: ${n} rows at ${bits} fractional bits overflow the packing`);
    const scale = 2 ** bits;
    const ciphertexts = crypto.encrypt(
      Float64Array.from(g, (x) => Math.round(x * scale)),
      Float64Array.from(h, (x) => Math.round(x * scale)),
    );
    this.stats.gradientBytes += ciphertexts.reduce((a, c) => a + c.length, 0);
    await send({ kind: 'encrypted-gradients', tree, ciphertexts });
    const cache = new WeakMap<Uint32Array, HostSums[]>();
    const fetch = async (rows: Uint32Array, node: number): Promise<HostSums[]> => {
      const out: HostSums[] = [];
      for (const link of links) {
        const response = await link.histogram({ kind: 'histogram-request', tree, node, rows });
        const groups = response.groups.map((bytes) => {
          const sums = crypto.decryptClasses(bytes);
          this.stats.minNoiseBudget = Math.min(this.stats.minNoiseBudget, sums.noiseBudget);
          this.stats.histogramCiphertexts++;
          this.stats.histogramBytes += bytes.length;
          return { g: sums.g, h: sums.h };
        });
        out.push(groups);
      }
      return out;
    };
    const all = Uint32Array.from({ length: n }, (_, i) => i);
    const built = await growTree<BoostSplit>(
      all,
      g,
      h,
      this.config,
      async (rows, node, depth) => {
        const hostSums = cache.get(rows) ?? (await fetch(rows, node));
        const candidates: Histogram[] = histograms(this.binned, rows, g, h);
        const owners: { host: number; feature: number }[] = [];
        hostSums.forEach((sums, host) => {
          for (let f = 0; f < this.hostFeatures[host]!; f++) {
            candidates.push(this.decode(sums, f, bits));
            owners.push({ host, feature: f });
          }
        });
        const best = bestSplit(candidates, this.config.lambda, this.config.minChildWeight);
        if (!best) return undefined;
        let split: BoostSplit;
        let left: Uint32Array;
        if (best.feature < this.binned.length) {
          const f = this.binned[best.feature]!;
          split = { party: 'guest', feature: best.feature, value: f.edges[best.threshold]! };
          left = rowsLeft(f.bins, rows, best.threshold);
        } else {
          const owner = owners[best.feature - this.binned.length]!;
          const answer = await links[owner.host]!.split({
            kind: 'split-request',
            tree,
            node,
            feature: owner.feature,
            bin: best.threshold,
            rows,
          });
          split = { party: 'host', host: owner.host, split: answer.split };
          left = answer.left;
        }
        const right = complement(rows, left);
        if (depth + 1 < this.config.depth && left.length > 0 && right.length > 0) {
          const [small, big] = left.length <= right.length ? [left, right] : [right, left];
          const smallSums = await fetch(small, -1 - node);
          cache.set(small, smallSums);
          cache.set(big, subtract(hostSums, smallSums));
        }
        return { split, left, right };
      },
      (rows, weight) => {
        for (const r of rows) this.margin[r]! += weight;
      },
    );
    this.trees.push(built);
  }

  /** Feature f's histogram from a host's class sums (fixed-point integers). */
  private decode(sums: HostSums, f: number, bits: number): Histogram {
    const params = this.params!;
    const perGroup = params.classes / params.binSlots;
    const group = sums[Math.floor(f / perGroup)]!;
    const offset = (f % perGroup) * params.binSlots;
    const scale = 2 ** -bits;
    const g = new Float64Array(this.config.bins);
    const h = new Float64Array(this.config.bins);
    for (let b = 0; b < this.config.bins; b++) {
      g[b] = group.g[offset + b]! * scale;
      h[b] = group.h[offset + b]! * scale;
    }
    return { g, h };
  }
}

/** The larger child's integer bin sums: parent minus the smaller child (exact). */
function subtract(parent: HostSums[], child: HostSums[]): HostSums[] {
  const sub = (a: Float64Array, b: Float64Array) => a.map((x, i) => x - b[i]!);
  return parent.map((groups, host) =>
    groups.map((s, i) => ({ g: sub(s.g, child[host]![i]!.g), h: sub(s.h, child[host]![i]!.h) })),
  );
}
