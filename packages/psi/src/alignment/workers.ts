import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { POINT_BYTES } from '../messages.js';
import { type AlignmentBlinder, badPoint } from './blinder.js';
import { AlignmentError } from './errors.js';
import { BLINDING_WORKER_SOURCE } from './worker-source.js';

interface Chunk {
  readonly op: 'hash' | 'mult';
  readonly input: Uint8Array;
  readonly scalar: Uint8Array;
  readonly dst: string;
  readonly resolve: (output: Uint8Array) => void;
  readonly reject: (e: Error) => void;
  /** Index of the chunk's first point in the whole call (for error messages). */
  readonly offset: number;
}

type Reply = { ready: true } | { output: Uint8Array } | { bad: number } | { error: string };

/** Points per chunk handed to a worker at a time: small enough to balance the load, big enough to amortise. */
const MIN_CHUNK = 512;

/**
 * A pool of worker threads for the blinding (the hot loop of alignment), one libsodium instance per thread.
 * Each call is cut into chunks that idle workers take in turn, so concurrent calls (both sides of an in-process
 * run) share the pool. `await AlignmentWorkers.open()` uses every core (`os.availableParallelism()`); `close()`
 * ends the threads. Idle workers do not keep the process alive.
 */
export class AlignmentWorkers implements AlignmentBlinder {
  private readonly idle: Worker[] = [];
  private readonly queue: Chunk[] = [];
  private readonly running = new Map<Worker, Chunk>();
  private closed = false;

  private constructor(private readonly workers: readonly Worker[]) {
    for (const w of workers) {
      w.on('message', (reply: Reply) => this.settle(w, reply));
      w.on('error', (e: Error) => this.fail(w, e));
      w.unref();
      this.idle.push(w);
    }
  }

  static async open(threads: number = availableParallelism()): Promise<AlignmentWorkers> {
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 256) {
      throw new AlignmentError('bad-options', `worker threads must be an integer in [1, 256], got ${threads}`);
    }
    const sodiumPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
    const workers = Array.from(
      { length: threads },
      () => new Worker(BLINDING_WORKER_SOURCE, { eval: true, workerData: { sodiumPath } }),
    );
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('message', () => resolve());
              w.once('error', reject);
            }),
        ),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new AlignmentWorkers(workers);
  }

  /** The number of worker threads. */
  get threads(): number {
    return this.workers.length;
  }

  hashAndBlind(keys: Uint8Array, scalar: Uint8Array, dst: string): Promise<Uint8Array> {
    return this.run('hash', keys, scalar, dst);
  }

  reblind(points: Uint8Array, scalar: Uint8Array): Promise<Uint8Array> {
    return this.run('mult', points, scalar, '');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.queue.splice(0)) c.reject(new Error('AlignmentWorkers: closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private async run(op: Chunk['op'], input: Uint8Array, scalar: Uint8Array, dst: string): Promise<Uint8Array> {
    if (this.closed) throw new Error('AlignmentWorkers: the pool is closed');
    const n = input.length / POINT_BYTES;
    const perChunk = Math.max(MIN_CHUNK, Math.ceil(n / (this.workers.length * 8)));
    const parts: Promise<Uint8Array>[] = [];
    for (let start = 0; start < n; start += perChunk) {
      const slice = input.slice(start * POINT_BYTES, Math.min(n, start + perChunk) * POINT_BYTES);
      parts.push(
        new Promise<Uint8Array>((resolve, reject) => {
          this.queue.push({ op, input: slice, scalar, dst, resolve, reject, offset: start });
        }),
      );
    }
    this.pump();
    const outputs = await Promise.all(parts);
    const out = new Uint8Array(input.length);
    let at = 0;
    for (const o of outputs) {
      out.set(o, at);
      at += o.length;
    }
    return out;
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!; // length checked above
      const chunk = this.queue.shift()!;
      this.running.set(w, chunk);
      w.ref();
      // The scalar is copied (structured clone) and zeroised by the worker after the chunk.
      w.postMessage({ op: chunk.op, input: chunk.input, scalar: chunk.scalar, dst: chunk.dst }, [
        chunk.input.buffer as ArrayBuffer,
      ]);
    }
  }

  private settle(w: Worker, reply: Reply): void {
    const chunk = this.running.get(w);
    if (chunk === undefined) return;
    this.running.delete(w);
    w.unref();
    this.idle.push(w);
    if ('output' in reply) chunk.resolve(reply.output);
    else if ('bad' in reply) chunk.reject(badPoint(chunk.offset + reply.bad));
    else if ('error' in reply) chunk.reject(new Error(`alignment worker: ${reply.error}`));
    this.pump();
  }

  private fail(w: Worker, e: Error): void {
    const chunk = this.running.get(w);
    this.running.delete(w);
    chunk?.reject(e);
    this.closed = true;
    for (const c of this.queue.splice(0)) c.reject(e);
  }
}
