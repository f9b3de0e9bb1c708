import type { JobView } from '@tessera/sdk';

export { tempDir } from '@tessera/test-support';

/** Byte-level equality of two Float64Arrays (NaN payloads and -0 included). */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A job's fit rounds (of one round, if given), every attempt, in order. */
export const fits = (job: JobView, round?: number) =>
  job.history.filter((h) => h.stage === 'fit' && (round === undefined || h.round === round));
