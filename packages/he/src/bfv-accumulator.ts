import type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js';
import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import type { Evaluator } from 'node-seal/implementation/evaluator.js';
import type { BfvParameters } from './bfv-parameters.js';
import { BfvRole } from './bfv-role.js';
import { HeError } from './errors.js';
import { free, scope, seal } from './seal.js';

/**
 * The coordinator's running sum: one ciphertext per chunk plus, for chunks that have masks to remove, one
 * plaintext vector of pending subtractions mod p (subtractions are summed in JavaScript and applied with
 * one SEAL `subPlain` per chunk when `result()` is called). Holds no secret key.
 */
export class BfvAccumulator extends BfvRole {
  private evaluator!: Evaluator;
  private encoder!: BatchEncoder;
  private readonly sums: (CipherText | undefined)[];
  private readonly pending: (Uint32Array | undefined)[];
  private readonly counts: number[];
  /** Chunks per vector: ceil(d / n) (see `bfvChunkCount`). */
  readonly chunkCount: number;

  constructor(params: BfvParameters, chunkCount: number) {
    if (!Number.isSafeInteger(chunkCount) || chunkCount < 1)
      throw new HeError('bad-input', `chunkCount must be a positive integer, got ${chunkCount}`);
    super(params);
    this.chunkCount = chunkCount;
    this.sums = new Array<CipherText | undefined>(chunkCount).fill(undefined);
    this.pending = new Array<Uint32Array | undefined>(chunkCount).fill(undefined);
    this.counts = new Array<number>(chunkCount).fill(0);
    this.setup(() => {
      this.evaluator = this.own(seal().Evaluator(this.opened.context));
      this.encoder = this.own(seal().BatchEncoder(this.opened.context));
    });
  }

  /** Number of ciphertexts added to chunk `chunkIndex` so far. */
  additions(chunkIndex: number): number {
    this.checkIndex(chunkIndex);
    return this.counts[chunkIndex]!; // checkIndex: 0 <= chunkIndex < chunkCount = counts.length
  }

  /** Adds one participant's ciphertext for chunk `chunkIndex`. Throws (changing nothing) when the bytes are refused. */
  add(chunkIndex: number, ciphertextBytes: Uint8Array): void {
    this.live();
    this.checkIndex(chunkIndex);
    const ct = this.loadCiphertext(ciphertextBytes, `chunk ${chunkIndex}`);
    this.absorb(chunkIndex, ct);
  }

  /** Adds all chunks of one participant's vector; every chunk is validated before any is added. */
  addVector(chunks: readonly Uint8Array[]): void {
    this.live();
    if (!Array.isArray(chunks) || chunks.length !== this.chunkCount)
      throw new HeError(
        'bad-input',
        `expected ${this.chunkCount} ciphertext chunks, got ${Array.isArray(chunks) ? chunks.length : typeof chunks}`,
      );
    const loaded: CipherText[] = [];
    try {
      for (let i = 0; i < chunks.length; i++) loaded.push(this.loadCiphertext(chunks[i], `chunk ${i}`));
    } catch (e) {
      free(...loaded);
      throw e;
    }
    let i = 0;
    try {
      for (; i < loaded.length; i++) this.absorb(i, loaded[i]!); // i < loaded.length
    } finally {
      free(...loaded.slice(i + 1)); // only if an addition failed: absorb() has freed or kept loaded[i]
    }
  }

  /** Subtracts the plaintext `words` (each below p, at most n of them, zero-extended) from chunk `chunkIndex`. */
  subtractPlain(chunkIndex: number, words: Uint32Array): void {
    this.live();
    this.checkIndex(chunkIndex);
    this.checkWords(words, this.n, `the plaintext for chunk ${chunkIndex}`);
    const p = this.p;
    const acc = (this.pending[chunkIndex] ??= new Uint32Array(this.n));
    // checkWords: words.length <= n = acc.length, so every i is in range for both arrays.
    for (let i = 0; i < words.length; i++) {
      const v = acc[i]! + words[i]!;
      acc[i] = v >= p ? v - p : v;
    }
  }

  /** Subtracts a whole plaintext vector (at most chunkCount * n words), chunk by chunk. */
  subtractPlainVector(words: Uint32Array): void {
    this.live();
    this.checkWords(words, this.chunkCount * this.n, 'the plaintext vector');
    for (let c = 0; c * this.n < words.length; c++) this.subtractPlain(c, words.subarray(c * this.n, (c + 1) * this.n));
  }

  /**
   * The serialized sum minus the pending plaintexts, one ciphertext per chunk, for the analyst. Does not
   * change the accumulator: more contributions may follow and `result()` may be called again.
   */
  result(): Uint8Array[] {
    this.live();
    const empty = this.counts.indexOf(0);
    if (empty >= 0)
      throw new HeError(
        'bad-state',
        `chunk ${empty} has no ciphertext yet: every chunk needs at least one contribution`,
      );
    const s = seal();
    return this.sums.map((sum, i) =>
      scope((keep) => {
        const pending = this.pending[i];
        if (!pending) return this.saveCiphertext(sum!);
        const plain = keep(s.PlainText());
        this.encoder.encode(pending, plain);
        const out = keep(s.CipherText({ context: this.opened.context }));
        this.evaluator.subPlain(sum!, plain, out);
        return this.saveCiphertext(out);
      }),
    );
  }

  override dispose(): void {
    const sums = this.sums.splice(0);
    try {
      free(...sums);
    } finally {
      super.dispose();
    }
  }

  private absorb(chunkIndex: number, ct: CipherText): void {
    const sum = this.sums[chunkIndex];
    if (sum === undefined) {
      this.sums[chunkIndex] = ct;
    } else {
      try {
        this.evaluator.add(sum, ct, sum);
      } finally {
        ct.delete();
      }
    }
    this.counts[chunkIndex]!++; // callers pass an index checkIndex accepted
  }

  private checkIndex(chunkIndex: number): void {
    if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= this.chunkCount) {
      throw new HeError('bad-input', `chunk index ${chunkIndex} is outside 0..${this.chunkCount - 1}`);
    }
  }
}
