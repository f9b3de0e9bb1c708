// The one chunked upload: a vector announced with UploadReady, sent in chunks (then done) once granted.
import { CHUNK_VALUES, type tessera } from '@tessera/proto';
import { sameRef } from './task-ref.js';

/** A message body as handlers send it (the connection adds the session and sequence number). */
export type Body = Omit<tessera.v1.IParticipantMessage, 'session' | 'seq'>;
export type Send = (body: Body) => Promise<void>;

/** A vector to upload, in one of its three wire forms. */
export type Upload =
  /** A plain local result (model delta, statistics, metrics): float values in chunks. */
  | { kind: 'update'; values: Float64Array }
  /** A SecAgg+ masked input: ring words in chunks. */
  | { kind: 'masked'; words: Uint32Array }
  /** A sealed masked input: one BFV ciphertext per chunk of slots. */
  | { kind: 'sealed'; ciphertexts: Uint8Array[] };

/** How many pieces an upload announces: values, words or ciphertexts. */
function totalOf(u: Upload): number {
  switch (u.kind) {
    case 'update':
      return u.values.length;
    case 'masked':
      return u.words.length;
    case 'sealed':
      return u.ciphertexts.length;
  }
}

/** The upload's chunk messages, in order. */
function* chunksOf(ref: tessera.v1.ITaskRef, u: Upload): Generator<Body> {
  switch (u.kind) {
    case 'update':
      for (let offset = 0; offset < u.values.length; offset += CHUNK_VALUES) {
        const values = u.values.subarray(offset, Math.min(u.values.length, offset + CHUNK_VALUES));
        yield {
          update: { task: ref, chunk: { offset, total: u.values.length, values: values as unknown as number[] } },
        };
      }
      return;
    case 'masked':
      for (let offset = 0; offset < u.words.length; offset += CHUNK_VALUES) {
        const words = u.words.subarray(offset, Math.min(u.words.length, offset + CHUNK_VALUES));
        yield { masked: { task: ref, chunk: { offset, total: u.words.length, words: words as unknown as number[] } } };
      }
      return;
    case 'sealed':
      for (let index = 0; index < u.ciphertexts.length; index++) {
        yield { sealed: { task: ref, index, total: u.ciphertexts.length, ciphertext: u.ciphertexts[index] } };
      }
      return;
  }
}

export interface UploadOffer {
  /** Sends one message (on the connection the task came on). */
  send: Send;
  ref: tessera.v1.ITaskRef;
  upload: Upload;
  /** The TaskDone that follows the last chunk. */
  done: tessera.v1.ITaskDone;
  /** Checked before every chunk and before done: a cancelled task stops sending (default: never cancelled). */
  cancelled?: () => boolean;
}

/**
 * One connection's uploads. The coordinator admits a few uploads at a time: a node announces its
 * vector (UploadReady with its length) and sends the chunks only when granted. A connection has at
 * most one upload waiting for its grant; a new offer replaces it, and the whole is dropped with the
 * connection.
 */
export class Uploader {
  private pending: { ref: tessera.v1.ITaskRef; send: () => Promise<void> } | undefined;

  /** Announces the upload; its chunks go out when `grant` names its task. */
  async offer(o: UploadOffer): Promise<void> {
    this.pending = { ref: o.ref, send: () => sendChunks(o) };
    await o.send({ ready: { task: o.ref, total: totalOf(o.upload) } });
  }

  /** The coordinator granted the upload of this task: send it (or nothing, if no such upload waits). */
  async grant(ref: tessera.v1.ITaskRef | null | undefined): Promise<void> {
    const pending = this.pending;
    if (!pending || !sameRef(pending.ref, ref)) return;
    this.pending = undefined;
    return pending.send();
  }

  /** Forgets the upload waiting for its grant. */
  clear(): void {
    this.pending = undefined;
  }
}

async function sendChunks({ send, ref, upload, done, cancelled = () => false }: UploadOffer): Promise<void> {
  for (const body of chunksOf(ref, upload)) {
    if (cancelled()) return;
    await send(body);
  }
  if (cancelled()) return;
  await send({ done });
}
