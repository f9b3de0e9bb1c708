// The envelope of the analyst's answer to one sealed aggregate: the job check, the decryptor's life, and any failure
// turned into the reply's `error` (the coordinator then fails the round with it).
import type { BfvDecryptor } from '@tessera/he';
import type { tessera } from '@tessera/proto';
import type { AnalystKeys } from './analyst-keys.js';

/**
 * Answers `aggregate` of job `jobId` with what `decode` returns. `decode` checks the aggregate against the analyst's
 * own spec first and then calls `decrypt(length)` once; the decryptor is the session's, or one made here and
 * disposed of after. Any error becomes the reply's `error`, naming the stage and round.
 */
export function sealedReply(
  aggregate: tessera.v1.ISealedAggregate,
  keys: AnalystKeys,
  jobId: string,
  session: { decryptor?: BfvDecryptor },
  decode: (decrypt: (length: number) => Uint32Array) => ArrayLike<number>,
): tessera.v1.ISealedReply {
  const round = aggregate.round ?? 0;
  const stage = aggregate.stage ?? '';
  const reply = { jobId, round, stage };
  let own: BfvDecryptor | undefined;
  try {
    if (aggregate.jobId && aggregate.jobId !== jobId)
      throw new Error(`the aggregate is for job ${aggregate.jobId}, not ${jobId}`);
    const decrypt = (length: number) => {
      const decryptor = session.decryptor ?? (own ??= keys.decryptor());
      return decryptor.decrypt(
        (aggregate.chunks ?? []).map((c) => new Uint8Array(c)),
        length,
      );
    };
    return { ...reply, values: Array.from(decode(decrypt)) };
  } catch (e) {
    return {
      ...reply,
      error: `the analyst could not use the ${stage || 'sealed'} aggregate of round ${round}: ${(e as Error).message}`,
    };
  } finally {
    own?.dispose();
  }
}
