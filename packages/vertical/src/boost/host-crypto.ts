/**
 * The host's homomorphic bin sums (hybrid diagonal method). The guest's ciphertext v holds one data row per
 * slot (gradient and hessian packed), in two halves of m = n/2 slots that rotate independently. For a node
 * and a group of features, output class k = (feature in group) * binSlots + bin, and the host forms
 *
 *   acc = sum_d diag_d * rot(v, d),   diag_d[s] = 1 when the row at slot (s + d) mod m of the same half is in
 *                                     the node and its bin of class (s mod K)'s feature is that class's bin,
 *
 * so that the slots s = k mod K of acc add up to the bin sum of class k: each (row, feature) pair lands in
 * exactly one diagonal. The K rotations rot(v, d) are shared by every node and feature of a tree (kept in NTT
 * form); each node costs one plaintext product per class. Before sending, the host adds a random vector that
 * sums to zero over every class, so the guest learns the K class sums and nothing about single rows, and
 * switches the ciphertext down one level to shrink it.
 *
 * The work runs on worker threads (host-pool.ts), one per core by default: the gradient chunks are dealt out
 * to the workers, each keeps its chunks' rotations and sums its share of the diagonal products, and this
 * thread adds the partial sums, then masks and shrinks the total.
 */
import { free, loadSeal, scope } from '@tessera/he';
import { type BoostHeParams, openBoostContext, randomModP, type Seal } from './he-context.js';
import { HostWorkerPool } from './host-pool.js';

/** Levels dropped before a histogram ciphertext is sent (it shrinks; the guest still has noise budget left). */
const DROP_LEVELS = 1;

export class HostCrypto {
  private readonly context;
  private readonly evaluator;
  private readonly encoder;
  private readonly pool: HostWorkerPool;
  private chunks = 0;
  private disposed = false;

  private constructor(
    private readonly s: Seal,
    readonly params: BoostHeParams,
    galoisKey: Uint8Array,
    threads: number | undefined,
  ) {
    this.pool = HostWorkerPool.open(params, galoisKey, threads);
    try {
      this.context = openBoostContext(s, params);
      this.evaluator = s.Evaluator(this.context);
      this.encoder = s.BatchEncoder(this.context);
    } catch (e) {
      this.pool.close();
      throw e;
    }
  }

  /** `threads`: worker threads for the homomorphic work (default: one per core). */
  static async create(params: BoostHeParams, galoisKey: Uint8Array, threads?: number): Promise<HostCrypto> {
    return new HostCrypto(await loadSeal(), params, galoisKey, threads);
  }

  get rowsPerCiphertext(): number {
    return this.params.polyModulusDegree;
  }

  /** Worker threads doing the homomorphic work. */
  get threads(): number {
    return this.pool.size;
  }

  /** Loads a tree's encrypted gradients; the workers precompute the `classes` rotations of each chunk. */
  setGradients(chunks: readonly Uint8Array[]): void {
    this.live();
    this.chunks = 0;
    this.pool.setGradients(chunks);
    this.chunks = chunks.length;
  }

  /**
   * Encrypted class sums for the rows `rows` (sorted global row indices) of `bins` (one Uint8Array of bin
   * indices per feature of this group, at most classes / binSlots features). One ciphertext.
   */
  groupHistogram(rows: Uint32Array, bins: readonly Uint8Array[]): Uint8Array {
    this.check(rows, bins);
    return this.finish(this.pool.partialHistograms(rows, bins));
  }

  /** groupHistogram without blocking this thread while the workers sum (for a host serving other requests). */
  async groupHistogramAsync(rows: Uint32Array, bins: readonly Uint8Array[]): Promise<Uint8Array> {
    this.check(rows, bins);
    const partials = await this.pool.partialHistogramsAsync(rows, bins);
    this.live();
    return this.finish(partials);
  }

  private check(rows: Uint32Array, bins: readonly Uint8Array[]): void {
    this.live();
    const k = this.params.classes;
    if (bins.length * this.params.binSlots > k)
      throw new Error(`at most ${k / this.params.binSlots} features per group`);
    if (this.chunks === 0) throw new Error('groupHistogram: no gradients were loaded');
    const limit = this.chunks * this.rowsPerCiphertext;
    if (rows.length > 0 && rows[rows.length - 1]! >= limit)
      throw new Error(`groupHistogram: row ${rows[rows.length - 1]} is beyond the ${limit} encrypted rows`);
  }

  /** Adds the workers' partial sums, leaves NTT form, adds the zero-sum mask, drops levels, serializes. */
  private finish(partials: readonly Uint8Array[]): Uint8Array {
    if (partials.length === 0) throw new Error('groupHistogram: the node has no rows');
    const s = this.s;
    return scope((keep) => {
      const acc = keep(s.CipherText());
      const part = keep(s.CipherText());
      acc.loadArray(this.context, partials[0]!);
      for (const bytes of partials.slice(1)) {
        part.loadArray(this.context, bytes);
        this.evaluator.add(acc, part, acc);
      }
      this.evaluator.cipherTransformFromNtt(acc, acc);
      const plain = keep(s.PlainText());
      this.encoder.encode(this.zeroSumMask(), plain);
      this.evaluator.addPlain(acc, plain, acc);
      for (let i = 0; i < DROP_LEVELS; i++) this.evaluator.cipherModSwitchToNext(acc, acc);
      return acc.saveArray(s.ComprModeType.zstd);
    });
  }

  /**
   * Encrypted class sums of a node whose own rows `rows` (sorted global indices) were loaded packed with
   * setGradients (GuestCrypto.encryptRows): `bins` are the whole columns, gathered here at `rows`.
   */
  packedHistogram(rows: Uint32Array, bins: readonly Uint8Array[]): Uint8Array {
    const local = Uint32Array.from({ length: rows.length }, (_, i) => i);
    return this.groupHistogram(
      local,
      bins.map((b) => Uint8Array.from(rows, (r) => b[r]!)),
    );
  }

  /** Uniform random slots mod p whose sum over each class (all slots s = k mod K) is zero. */
  private zeroSumMask(): BigUint64Array {
    const n = this.rowsPerCiphertext;
    const k = this.params.classes;
    const p = BigInt(this.params.plainModulus);
    const mask = randomModP(n, p);
    for (let c = 0; c < k; c++) {
      let sum = 0n;
      for (let s = c + k; s < n; s += k) sum += mask[s]!;
      mask[c] = (p - (sum % p)) % p;
    }
    return mask;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    try {
      this.pool.close();
    } finally {
      free(this.encoder, this.evaluator, this.context);
    }
  }

  private live(): void {
    if (this.disposed) throw new Error('HostCrypto was disposed');
  }
}
