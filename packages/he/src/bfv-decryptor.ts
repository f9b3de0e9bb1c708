import type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js';
import type { Decryptor } from 'node-seal/implementation/decryptor.js';
import type { PlainText } from 'node-seal/implementation/plain-text.js';
import type { BfvParameters } from './bfv-parameters.js';
import { bfvChunkCount, BfvRole } from './bfv-role.js';
import { EnvelopeKind, unwrap } from './envelope.js';
import { HeError, reason } from './errors.js';
import { scope, seal } from './seal.js';

/** The analyst's decryptor. */
export class BfvDecryptor extends BfvRole {
  private decryptor!: Decryptor;
  private encoder!: BatchEncoder;
  private plain!: PlainText;

  /**
   * Loads and validates the secret key (`HeError('bad-bytes' | 'wrong-parameters')` when it is not one for `params`).
   */
  constructor(params: BfvParameters, secretKeyBytes: Uint8Array) {
    super(params);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(secretKeyBytes, EnvelopeKind.BfvSecretKey, this.opened.keyParmsId);
      scope((keep) => {
        const sk = keep(s.SecretKey());
        try {
          sk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a BFV secret key: refused by SEAL (${reason(e)})`);
        }
        this.decryptor = this.own(s.Decryptor(this.opened.context, sk));
      });
      this.encoder = this.own(s.BatchEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
    });
  }

  /** The invariant noise budget (bits) of one serialized ciphertext; 0 means it no longer decrypts correctly. */
  noiseBudget(chunk: Uint8Array): number {
    this.live();
    return scope((keep) => this.decryptor.invariantNoiseBudget(keep(this.loadCiphertext(chunk, 'the ciphertext'))));
  }

  /**
   * Decrypts ceil(length / n) chunks into `length` words mod p. Checks each chunk's invariant noise budget
   * first and throws `HeError('noise-exhausted')` when it is 0 (the decryption would be garbage).
   */
  decrypt(chunks: readonly Uint8Array[], length: number): Uint32Array {
    this.live();
    const n = this.n;
    const expected = bfvChunkCount(this.params, length);
    if (!Array.isArray(chunks) || chunks.length !== expected) {
      throw new HeError(
        'bad-input',
        `a vector of ${length} words needs ${expected} chunks, ` +
          `got ${Array.isArray(chunks) ? chunks.length : typeof chunks}`,
      );
    }
    const out = new Uint32Array(length);
    for (let i = 0; i < chunks.length; i++) {
      scope((keep) => {
        const ct = keep(this.loadCiphertext(chunks[i], `chunk ${i}`));
        const budget = this.decryptor.invariantNoiseBudget(ct);
        if (budget <= 0) {
          throw new HeError(
            'noise-exhausted',
            `chunk ${i}: the invariant noise budget is ${budget} bits, the ciphertext no longer decrypts correctly ` +
              '(more additions than these parameters allow, or it was encrypted under another key pair)',
          );
        }
        this.decryptor.decrypt(ct, this.plain);
        const words = this.encoder.decode(this.plain, false) as Uint32Array;
        out.set(words.subarray(0, Math.min(n, length - i * n)), i * n);
      });
    }
    return out;
  }
}
