import type { tessera } from '@tessera/proto';
import type { SegmentCiphertexts } from '@tessera/he';
import type { TaskKey } from '../service/task-ref.js';
import { Collector, type TaskAnswer } from './collectors.js';
import type { Settle } from './stage.js';

/**
 * One participant's encrypted scores: one EncryptedSegment per declared segment, in order, then
 * done. The complete set goes to `accept` (which adds it to the encrypted totals) only then, so a
 * broken answer never reaches the totals. Each ciphertext is refused above the size one under the job's
 * parameters can take, so a participant holds at most segments x 2 such ciphertexts here.
 */
export class ScoreCollector extends Collector<TaskAnswer> {
  private readonly segments: SegmentCiphertexts[] = [];

  constructor(
    key: TaskKey,
    settle: Settle<TaskAnswer>,
    private readonly expected: number,
    private readonly maxCiphertextBytes: number,
    private readonly accept: (segments: SegmentCiphertexts[]) => string | undefined,
  ) {
    super(key, settle);
  }

  override onEncryptedSegment(m: tessera.v1.IEncryptedSegment): string | undefined {
    const index = Number(m.index ?? -1);
    if (index !== this.segments.length || Number(m.total ?? 0) !== this.expected) {
      const have = this.segments.length;
      return `segment ${index} of ${m.total} does not continue the ${have} of ${this.expected} expected`;
    }
    if (!m.score?.length || !m.count?.length) return `segment ${index} lacks its score or count ciphertext`;
    const largest = Math.max(m.score.length, m.count.length);
    if (largest > this.maxCiphertextBytes)
      return (
        `segment ${index} carries a ciphertext of ${largest} bytes, more than the ${this.maxCiphertextBytes} one ` +
        "under the job's encryption parameters can take (limit: ciphertext size)"
      );
    // Whether the participant suppressed the segment is in the count ciphertext (slot 1), for the analyst alone; the
    // plaintext `suppressed` field of older participants is ignored.
    this.segments.push({ score: m.score, count: m.count });
    return undefined;
  }

  override onDone(_done: tessera.v1.ITaskDone): string | undefined {
    if (this.segments.length !== this.expected)
      return `only ${this.segments.length} of ${this.expected} segments arrived before done`;
    const problem = this.accept(this.segments);
    if (problem) return problem;
    // Participants send 0 examples (a row count would tell which segments they hold or suppressed); an older one's
    // count is not kept either: the job counts participants answered, the analyst learns rows by decrypting.
    this.settle({ ok: true, result: { numExamples: 0, metrics: {} } });
    return undefined;
  }
}
