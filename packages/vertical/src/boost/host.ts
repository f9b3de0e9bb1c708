/**
 * The SecureBoost host: it bins its own features into quantile bins, sums the guest's encrypted gradients
 * per bin (host-crypto.ts), and answers split and scoring queries. Its thresholds and feature values never
 * leave it; the guest refers to a host split only by an opaque id.
 */
import { randomBytes } from 'node:crypto';
import { binFeature, type BinnedFeature } from './binning.js';
import { boostHeParams } from './he-context.js';
import { HostCrypto } from './host-crypto.js';
import { HostTreeGuard } from './tree-guard.js';
import type {
  BoostSetup,
  EncryptedGradients,
  EncryptedHistogram,
  HistogramRequest,
  HostHello,
  ScoreAnswer,
  ScoreQuery,
  SplitAnswer,
  SplitRequest,
} from './messages.js';

/** A host split kept by the host: rows with x[feature] <= value go left. */
export interface HostSplit {
  readonly feature: number;
  readonly value: number;
}

/** The host's part of the model: its splits by opaque id. */
export interface HostBoostModel {
  readonly splits: ReadonlyMap<string, HostSplit>;
}

/** The most output classes per histogram ciphertext a host accepts (the guest's default is 128). */
const MAX_CLASSES = 512;

/** JSON with bigints as strings and sorted keys, to compare parameter objects. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'bigint'
      ? x.toString()
      : x && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x)
        ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
        : ArrayBuffer.isView(x)
          ? Array.from(x as unknown as ArrayLike<number>)
          : x,
  );
}

function checkRows(rows: Uint32Array, count: number, what: string): void {
  if (!(rows instanceof Uint32Array)) throw new Error(`${what}: rows must be a Uint32Array`);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]! >= count) throw new Error(`${what}: row ${rows[i]} is not below the row count ${count}`);
    if (i > 0 && rows[i]! <= rows[i - 1]!) throw new Error(`${what}: rows must be strictly increasing`);
  }
}

export class SecureBoostHost {
  private crypto: HostCrypto | undefined;
  private binned: BinnedFeature[] = [];
  private tree = -1;
  private readonly splits = new Map<string, HostSplit>();
  private readonly guard: HostTreeGuard;

  /**
   * `features`: one column per feature over the aligned training rows, in the agreed row order. `maxDepth`: the job's
   * tree depth, which bounds the splits the guest may ask of this host per tree (tree-guard.ts).
   */
  constructor(
    readonly host: number,
    private readonly features: readonly ArrayLike<number>[],
    maxDepth = 12,
  ) {
    if (features.length === 0) throw new Error(`host ${host}: needs at least one feature column`);
    this.guard = new HostTreeGuard(features[0]!.length, maxDepth);
  }

  hello(): HostHello {
    return { kind: 'host-hello', host: this.host, features: this.features.length };
  }

  async setup(message: BoostSetup): Promise<void> {
    if (this.crypto) throw new Error(`host ${this.host}: setup was already received`);
    for (const [j, f] of this.features.entries()) {
      if (f.length !== message.rows)
        throw new Error(`host ${this.host}: feature ${j} has ${f.length} rows, the guest aligned ${message.rows}`);
    }
    // The host recomputes the parameters for the bins and classes asked for and takes nothing else: they size its work.
    if (!Number.isInteger(message.params?.classes) || message.params.classes > MAX_CLASSES)
      throw new Error(`host ${this.host}: ${message.params?.classes} classes per ciphertext, at most ${MAX_CLASSES}`);
    const expected = await boostHeParams(message.bins, message.params.classes);
    if (canonical(expected) !== canonical(message.params))
      throw new Error(`host ${this.host}: the guest's encryption parameters are not those of ${message.bins} bins`);
    this.binned = this.features.map((f) => binFeature(f, message.bins));
    this.crypto = await HostCrypto.create(message.params, message.galoisKey);
  }

  gradients(message: EncryptedGradients): void {
    const crypto = this.ready('encrypted-gradients');
    this.guard.startTree(message.tree);
    crypto.setGradients(message.ciphertexts);
    this.tree = message.tree;
  }

  histogram(request: HistogramRequest): EncryptedHistogram {
    const crypto = this.ready('histogram-request');
    this.checkTree(request.tree, 'histogram-request');
    checkRows(request.rows, this.binned[0]!.bins.length, 'histogram-request');
    this.guard.histogram(request.node, request.rows);
    const perGroup = crypto.params.classes / crypto.params.binSlots;
    const groups: Uint8Array[] = [];
    for (let f = 0; f < this.binned.length; f += perGroup) {
      const bins = this.binned.slice(f, f + perGroup).map((b) => b.bins);
      groups.push(crypto.groupHistogram(request.rows, bins));
    }
    return { kind: 'encrypted-histogram', host: this.host, tree: request.tree, node: request.node, groups };
  }

  split(request: SplitRequest): SplitAnswer {
    this.ready('split-request');
    this.checkTree(request.tree, 'split-request');
    const feature = this.binned[request.feature];
    if (!feature) throw new Error(`split-request: feature ${request.feature} is not one of this host's`);
    if (!Number.isInteger(request.bin) || request.bin < 0 || request.bin >= feature.edges.length)
      throw new Error(`split-request: bin ${request.bin} has no threshold (feature has ${feature.edges.length})`);
    checkRows(request.rows, feature.bins.length, 'split-request');
    const left = request.rows.filter((r) => feature.bins[r]! <= request.bin);
    this.guard.split(request.rows, left);
    const id = randomBytes(12).toString('hex');
    this.splits.set(id, { feature: request.feature, value: feature.edges[request.bin]! });
    return { kind: 'split-answer', host: this.host, split: id, left };
  }

  /** The host's model part (splits by opaque id); it stays with the host. */
  model(): HostBoostModel {
    return { splits: new Map(this.splits) };
  }

  dispose(): void {
    this.crypto?.dispose();
  }

  private ready(what: string): HostCrypto {
    if (!this.crypto) throw new Error(`host ${this.host}: ${what} before boost-setup`);
    return this.crypto;
  }

  private checkTree(tree: number, what: string): void {
    if (tree !== this.tree)
      throw new Error(`host ${this.host}: ${what} for tree ${tree}, gradients are for ${this.tree}`);
  }
}

/** Answers scoring queries for new rows from the host's own feature columns and its model part. */
export class SecureBoostHostScorer {
  constructor(
    private readonly model: HostBoostModel,
    private readonly features: readonly ArrayLike<number>[],
  ) {}

  score(query: ScoreQuery): ScoreAnswer {
    const split = this.model.splits.get(query.split);
    if (!split) throw new Error(`score-query: split ${query.split} is not one of this host's`);
    const column = this.features[split.feature]!;
    checkRows(query.rows, column.length, 'score-query');
    return { kind: 'score-answer', left: query.rows.filter((r) => column[r]! <= split.value) };
  }
}
