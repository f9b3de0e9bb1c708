/**
 * The guest's BFV keys for SecureBoost: it encrypts fixed-point gradients and hessians (row 0 and row 1 of
 * the slot matrix, n/2 data rows per ciphertext) and decrypts the hosts' bin sums. Only the Galois key for
 * one-step row rotations leaves the guest; the secret key never does.
 */
import { free, loadSeal, scope } from '@tessera/he';
import { type BoostHeParams, openBoostContext, type Seal, type SealContext } from './he-context.js';

export class GuestCrypto {
  readonly #secretKey: ReturnType<Seal['SecretKey']>;
  private readonly encryptor: ReturnType<Seal['Encryptor']>;
  private readonly decryptor: ReturnType<Seal['Decryptor']>;
  private readonly encoder: ReturnType<Seal['BatchEncoder']>;
  /** Serialized Galois key for rotateRows by one step, for the hosts. */
  readonly galoisKey: Uint8Array;
  private disposed = false;

  private constructor(
    private readonly s: Seal,
    readonly params: BoostHeParams,
    private readonly context: SealContext,
  ) {
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

  /** Rows per ciphertext. */
  get rowsPerCiphertext(): number {
    return this.params.polyModulusDegree / 2;
  }

  /** Encrypts words mod p of gradients and hessians, n/2 rows per ciphertext. */
  encrypt(g: Uint32Array, h: Uint32Array): Uint8Array[] {
    this.live();
    const m = this.rowsPerCiphertext;
    const out: Uint8Array[] = [];
    const slots = new Uint32Array(2 * m);
    for (let start = 0; start < g.length; start += m) {
      slots.fill(0);
      const end = Math.min(start + m, g.length);
      slots.set(g.subarray(start, end), 0);
      slots.set(h.subarray(start, end), m);
      out.push(
        scope((keep) => {
          const pt = keep(this.encoder.encode(slots) as ReturnType<Seal['PlainText']>);
          const ct = keep(this.encryptor.encrypt(pt) as ReturnType<Seal['CipherText']>);
          return ct.saveArray(this.s.ComprModeType.zstd);
        }),
      );
    }
    slots.fill(0);
    return out;
  }

  /**
   * Decrypts one histogram ciphertext and folds its slots into `classes` gradient and hessian sums (mod p):
   * the host added a random mask summing to zero over each class, so only the class sums mean anything.
   */
  decryptClasses(bytes: Uint8Array): { g: Uint32Array; h: Uint32Array; noiseBudget: number } {
    this.live();
    const m = this.rowsPerCiphertext;
    const k = this.params.classes;
    const p = this.params.plainModulus;
    return scope((keep) => {
      const ct = keep(this.s.CipherText());
      ct.loadArray(this.context, bytes);
      const noiseBudget = this.decryptor.invariantNoiseBudget(ct);
      if (noiseBudget <= 0) throw new Error('a histogram ciphertext has no noise budget left: it cannot decrypt');
      const pt = keep(this.decryptor.decrypt(ct) as ReturnType<Seal['PlainText']>);
      const slots = this.encoder.decode(pt, false) as Uint32Array;
      const g = new Uint32Array(k);
      const h = new Uint32Array(k);
      for (let c = 0; c < k; c++) {
        let sg = 0;
        let sh = 0;
        for (let s = c; s < m; s += k) {
          sg += slots[s]!;
          sh += slots[m + s]!;
        }
        g[c] = sg % p;
        h[c] = sh % p;
      }
      return { g, h, noiseBudget };
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
