import type { BatchEncoder } from 'node-seal/implementation/batch-encoder.js';
import type { CipherText } from 'node-seal/implementation/cipher-text.js';
import type { Encryptor } from 'node-seal/implementation/encryptor.js';
import type { PlainText } from 'node-seal/implementation/plain-text.js';
import type { BfvParameters } from './bfv-parameters.js';
import { BfvRole } from './bfv-role.js';
import { EnvelopeKind, unwrap } from './envelope.js';
import { HeError, reason } from './errors.js';
import { scope, seal } from './seal.js';

/** A participant's encryptor under the analyst's public key. */
export class BfvEncryptor extends BfvRole {
  private encryptor!: Encryptor;
  private encoder!: BatchEncoder;
  private plain!: PlainText;
  private cipher!: CipherText;
  private readonly slots: Uint32Array;

  /**
   * Loads and validates the public key (`HeError('bad-bytes' | 'wrong-parameters')` when it is not one for `params`).
   */
  constructor(params: BfvParameters, publicKeyBytes: Uint8Array) {
    super(params);
    this.slots = new Uint32Array(this.n);
    this.setup(() => {
      const s = seal();
      const payload = unwrap(publicKeyBytes, EnvelopeKind.BfvPublicKey, this.opened.keyParmsId);
      scope((keep) => {
        const pk = keep(s.PublicKey());
        try {
          pk.loadArray(this.opened.context, payload);
        } catch (e) {
          throw new HeError('bad-bytes', `a BFV public key: refused by SEAL (${reason(e)})`);
        }
        this.encryptor = this.own(s.Encryptor(this.opened.context, pk));
      });
      this.encoder = this.own(s.BatchEncoder(this.opened.context));
      this.plain = this.own(s.PlainText());
      this.cipher = this.own(s.CipherText({ context: this.opened.context }));
    });
  }

  /** Encrypts `words` (each below p) as ceil(length / n) ciphertexts; the last chunk is zero-padded. */
  encrypt(words: Uint32Array): Uint8Array[] {
    this.live();
    this.checkWords(words, Number.MAX_SAFE_INTEGER, 'the vector to encrypt');
    const n = this.n;
    const out: Uint8Array[] = [];
    for (let start = 0; start < words.length; start += n) {
      const chunk = words.subarray(start, Math.min(start + n, words.length));
      this.slots.set(chunk);
      if (chunk.length < n) this.slots.fill(0, chunk.length);
      this.encoder.encode(this.slots, this.plain);
      this.encryptor.encrypt(this.plain, this.cipher);
      out.push(this.saveCiphertext(this.cipher));
    }
    this.slots.fill(0);
    return out;
  }
}
