// What a node keeps about jobs across connections: last fits, updates kept for valuation, BFV encryptors.
import type { LocalSchema } from '@tessera/data';
import { BfvEncryptor, type BfvParameters } from '@tessera/he';
import type { LastFit } from './secure-encoding.js';
import { ValuationDisclosure } from './valuation-disclosure.js';

/**
 * Job state that outlives one stream (unlike a Connection's): a reconnecting node still reports
 * its last training loss with the evaluation, still holds its updates for a valuation request, and
 * reuses its encryptor for a sealed job.
 */
export class JobMemory {
  /** Training loss of this node's last fit per job, reported (securely summed) with the evaluation. */
  readonly lastFit = new Map<string, LastFit>();
  /** Training updates of jobs with a payout, kept for a later valuation request. */
  readonly disclosure = new ValuationDisclosure();
  private readonly encryptors = new Map<string, { key: Uint8Array; encryptor: BfvEncryptor }>();
  /** This node's own schema answer per job and spec (train-features.ts checks later stages' features against it). */
  private readonly schemaAnswers = new Map<string, LocalSchema>();

  /** Keeps the schema answer this node gave (the 64 most recent jobs). */
  keepSchemaAnswer(key: string, schema: LocalSchema): void {
    this.schemaAnswers.delete(key);
    this.schemaAnswers.set(key, schema);
    for (const old of this.schemaAnswers.keys()) {
      if (this.schemaAnswers.size <= 64) break;
      this.schemaAnswers.delete(old);
    }
  }

  schemaAnswer(key: string): LocalSchema | undefined {
    return this.schemaAnswers.get(key);
  }

  /** One encryptor per job and analyst key, kept across rounds (setting one up costs about 0.1 s). */
  encryptorFor(jobId: string, sealed: { params: BfvParameters; analystKey: Uint8Array }): BfvEncryptor {
    const kept = this.encryptors.get(jobId);
    if (kept && Buffer.from(kept.key).equals(Buffer.from(sealed.analystKey))) return kept.encryptor;
    kept?.encryptor.dispose();
    for (const [id, e] of this.encryptors)
      if (id !== jobId) {
        e.encryptor.dispose();
        this.encryptors.delete(id);
      }
    const encryptor = new BfvEncryptor(sealed.params, sealed.analystKey);
    this.encryptors.set(jobId, { key: sealed.analystKey, encryptor });
    return encryptor;
  }

  /** Frees the encryptors (native memory); the node is stopping. */
  dispose(): void {
    for (const e of this.encryptors.values()) e.encryptor.dispose();
    this.encryptors.clear();
  }
}
