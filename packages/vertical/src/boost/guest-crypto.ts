/**
 * The guest's BFV keys for SecureBoost: it encrypts the packed fixed-point gradients and hessians (one row
 * per slot, n rows per ciphertext) and decrypts the hosts' bin sums. Only the Galois key for one-step row
 * rotations leaves the guest; the secret key never does.
 */
import { free, loadSeal, scope } from '@tessera/he';
import {
  type BoostHeParams,
  openBoostContext,
  packSlot,
  type Seal,
  type SealContext,
  unpackSum,
} from './he-context.js';

export class GuestCrypto {
  readonly #secretKey: ReturnType<Seal['SecretKey']>;
  private readonly encryptor: ReturnType<Seal['Encryptor']>;
  private readonly decryptor: ReturnType<Seal['Decryptor']>;
  private readonly encoder: ReturnType<Seal['BatchEncoder']>;
  private readonly p: bigint;
  /** Serialized Galois key for rotateRows by one step, for the hosts. */
  readonly galoisKey: Uint8Array;
  private disposed = false;

  private constructor(
    private readonly s: Seal,
    readonly params: BoostHeParams,
    private readonly context: SealContext,
  ) {
    this.p = BigInt(params.plainModulus);
    const generator = s.KeyGenerator(context);
    try {
      // node-seal's `secretKey()` copies the key and never frees the original: take the raw copy and free it.
      this.#secretKey = s.SecretKey();
      const raw = (generator.instance as { secretKey(): { delete(): void } }).secretKey();
      try {
        this.#secretKey.inject(raw as never);
      } finally {
        raw.delete();
      }
      this.galoisKey = scope((keep) =>
        keep(generator.createGaloisKeysSerializable(Int32Array.from([1]))).saveArray(s.ComprModeType.zstd),
      );
      this.encryptor = scope((keep) => s.Encryptor(context, keep(generator.createPublicKey())));
      this.decryptor = s.Decryptor(context, this.#secretKey);
      this.encoder = s.BatchEncoder(context);
    } finally {
      generator.delete();
    }
  }

  static async create(params: BoostHeParams): Promise<GuestCrypto> {
    const s = await loadSeal();
    return new GuestCrypto(s, params, openBoostContext(s, params));
  }

  /** Rows per ciphertext (n: one per slot). */
  get rowsPerCiphertext(): number {
    return this.params.polyModulusDegree;
  }

  /** Encrypts integer fixed-point gradients `g` and hessians `h` (|g|, h below 2^29), n rows per ciphertext. */
  encrypt(g: ArrayLike<number>, h: ArrayLike<number>): Uint8Array[] {
    this.live();
    const n = this.rowsPerCiphertext;
    const out: Uint8Array[] = [];
    const slots = new BigUint64Array(n);
    for (let start = 0; start < g.length; start += n) {
      slots.fill(0n);
      const end = Math.min(start + n, g.length);
      for (let i = start; i < end; i++) slots[i - start] = packSlot(g[i]!, h[i]!, this.p);
      out.push(
        scope((keep) => {
          const pt = keep(this.encoder.encode(slots) as ReturnType<Seal['PlainText']>);
          const ct = keep(this.encryptor.encrypt(pt) as ReturnType<Seal['CipherText']>);
          return ct.saveArray(this.s.ComprModeType.zstd);
        }),
      );
    }
    slots.fill(0n);
    return out;
  }

  /**
   * Encrypts the gradients and hessians of `rows` only (sorted row indices), packed from slot 0: a node's own
   * ciphertexts, for a host to sum with HostCrypto.packedHistogram after setGradients. Not in the protocol yet:
   * it would let the host's work follow the node's size (docs/benchmarks.md, issue 18).
   */
  encryptRows(g: ArrayLike<number>, h: ArrayLike<number>, rows: Uint32Array): Uint8Array[] {
    return this.encrypt(
      Float64Array.from(rows, (r) => g[r]!),
      Float64Array.from(rows, (r) => h[r]!),
    );
  }

  /**
   * Decrypts one histogram ciphertext and folds its slots into `classes` integer gradient and hessian sums:
   * the host added a random mask summing to zero over each class, so only the class sums mean anything.
   */
  decryptClasses(bytes: Uint8Array): { g: Float64Array; h: Float64Array; noiseBudget: number } {
    this.live();
    const n = this.rowsPerCiphertext;
    const k = this.params.classes;
    const p = this.p;
    return scope((keep) => {
      const ct = keep(this.s.CipherText());
      ct.loadArray(this.context, bytes);
      const noiseBudget = this.decryptor.invariantNoiseBudget(ct);
      if (noiseBudget <= 0) throw new Error('a histogram ciphertext has no noise budget left: it cannot decrypt');
      const pt = keep(this.decryptor.decrypt(ct) as ReturnType<Seal['PlainText']>);
      const slots = this.encoder.decodeBigInt(pt, false) as BigUint64Array;
      const g = new Float64Array(k);
      const h = new Float64Array(k);
      for (let c = 0; c < k; c++) {
        let sum = 0n;
        for (let s = c; s < n; s += k) sum += slots[s]!;
        const unpacked = unpackSum(sum % p, p);
        g[c] = unpacked.g;
        h[c] = unpacked.h;
      }
      return { g, h, noiseBudget };
    });
  }

  /** Every decrypted slot of a histogram ciphertext (mod p): what the guest could look at beyond the class sums. */
  rawSlots(bytes: Uint8Array): BigUint64Array {
    this.live();
    return scope((keep) => {
      const ct = keep(this.s.CipherText());
      ct.loadArray(this.context, bytes);
      const pt = keep(this.decryptor.decrypt(ct) as ReturnType<Seal['PlainText']>);
      return BigUint64Array.from(this.encoder.decodeBigInt(pt, false) as BigUint64Array);
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    free(this.encoder, this.decryptor, this.encryptor, this.#secretKey, this.context);
  }

  private live(): void {
    if (this.disposed) throw new Error('GuestCrypto was disposed');
  }
}
