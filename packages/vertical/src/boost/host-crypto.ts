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
 */
import { free, loadSeal, scope } from '@tessera/he';
import { type BoostHeParams, openBoostContext, randomModP, type Seal, type SealCipher } from './he-context.js';

/** Levels dropped before a histogram ciphertext is sent (it shrinks; the guest still has noise budget left). */
const DROP_LEVELS = 1;

export class HostCrypto {
  private readonly context;
  private readonly evaluator;
  private readonly encoder;
  private readonly galois;
  /** rot(v_c, d) in NTT form, per chunk c and step d < classes. */
  private rotations: SealCipher[][] = [];
  /** The parms id of the NTT-form rotations (read once: node-seal's getter leaks a copy per call). */
  private parmsId: ReturnType<Seal['ParmsIdType']> | undefined;
  private disposed = false;

  private constructor(
    private readonly s: Seal,
    readonly params: BoostHeParams,
    galoisKey: Uint8Array,
  ) {
    this.context = openBoostContext(s, params);
    this.evaluator = s.Evaluator(this.context);
    this.encoder = s.BatchEncoder(this.context);
    this.galois = s.GaloisKeys();
    this.galois.loadArray(this.context, galoisKey);
  }

  static async create(params: BoostHeParams, galoisKey: Uint8Array): Promise<HostCrypto> {
    return new HostCrypto(await loadSeal(), params, galoisKey);
  }

  get rowsPerCiphertext(): number {
    return this.params.polyModulusDegree;
  }

  /** Loads a tree's encrypted gradients and precomputes the `classes` rotations of each chunk. */
  setGradients(chunks: readonly Uint8Array[]): void {
    this.live();
    this.clearRotations();
    const k = this.params.classes;
    for (const bytes of chunks) {
      const list: SealCipher[] = [];
      this.rotations.push(list);
      const current = this.s.CipherText();
      try {
        current.loadArray(this.context, bytes);
        if (current.size !== 2) throw new Error(`a gradient ciphertext has ${current.size} components, expected 2`);
        for (let d = 0; d < k; d++) {
          if (d > 0) this.evaluator.rotateRows(current, 1, this.galois, current);
          const ntt = this.s.CipherText();
          list.push(ntt);
          this.evaluator.cipherTransformToNtt(current, ntt);
          this.parmsId ??= ntt.parmsId;
        }
      } finally {
        current.delete();
      }
    }
  }

  /**
   * Encrypted class sums for the rows `rows` (sorted global row indices) of `bins` (one Uint8Array of bin
   * indices per feature of this group, at most classes / binSlots features). One ciphertext.
   */
  groupHistogram(rows: Uint32Array, bins: readonly Uint8Array[]): Uint8Array {
    this.live();
    const n = this.rowsPerCiphertext;
    const m = n / 2;
    const k = this.params.classes;
    const slotsPerFeature = this.params.binSlots;
    if (bins.length * slotsPerFeature > k) throw new Error(`at most ${k / slotsPerFeature} features per group`);
    const s = this.s;
    return scope((keep) => {
      const acc = keep(s.CipherText());
      let empty = true;
      const diagonals = new Map<number, Uint32Array>();
      const plain = keep(s.PlainText());
      const plainNtt = keep(s.PlainText());
      const product = keep(s.CipherText());
      let at = 0;
      for (let c = 0; c < this.rotations.length && at < rows.length; c++) {
        diagonals.clear();
        const end = (c + 1) * n;
        for (; at < rows.length && rows[at]! < end; at++) {
          const local = rows[at]! - c * n;
          const half = local >= m ? m : 0;
          const j = local - half;
          for (let f = 0; f < bins.length; f++) {
            const cls = f * slotsPerFeature + bins[f]![rows[at]!]!;
            const d = (((j - cls) % k) + k) % k;
            let diag = diagonals.get(d);
            if (!diag) diagonals.set(d, (diag = new Uint32Array(n)));
            diag[half + ((j - d + m) % m)] = 1;
          }
        }
        const rotated = this.rotations[c]!;
        for (const [d, diag] of diagonals) {
          const rot = rotated[d]!;
          this.encoder.encode(diag, plain);
          this.evaluator.plainTransformToNtt(plain, this.parmsId!, plainNtt);
          if (empty) {
            this.evaluator.multiplyPlain(rot, plainNtt, acc);
            empty = false;
          } else {
            this.evaluator.multiplyPlain(rot, plainNtt, product);
            this.evaluator.add(acc, product, acc);
          }
        }
      }
      if (empty) throw new Error('groupHistogram: the node has no rows');
      this.evaluator.cipherTransformFromNtt(acc, acc);
      this.encoder.encode(this.zeroSumMask(), plain);
      this.evaluator.addPlain(acc, plain, acc);
      for (let i = 0; i < DROP_LEVELS; i++) this.evaluator.cipherModSwitchToNext(acc, acc);
      return acc.saveArray(s.ComprModeType.zstd);
    });
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

  private clearRotations(): void {
    for (const list of this.rotations) free(...list);
    this.rotations = [];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearRotations();
    free(this.parmsId, this.galois, this.encoder, this.evaluator, this.context);
  }

  private live(): void {
    if (this.disposed) throw new Error('HostCrypto was disposed');
  }
}
