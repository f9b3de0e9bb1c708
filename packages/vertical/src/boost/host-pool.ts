/**
 * The host's worker threads for SecureBoost's encrypted bin sums: one per core by default, each with its own
 * node-seal instance, BFV context and Galois key (loaded once), holding its share of the rotations of the
 * gradient chunks (an equal run of the chunks x classes diagonals). The calls are synchronous, as HostCrypto's are: the
 * main thread posts the jobs, every worker computes its share at once, and the main thread blocks on a shared
 * flag per worker (Atomics.wait) and takes each reply with receiveMessageOnPort. partialHistogramsAsync waits
 * on the same flags with Atomics.waitAsync instead.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { BoostHeParams } from './he-context.js';
import { HOST_WORKER_SOURCE } from './host-worker-source.js';

type Reply = { ready: true } | { ok: true; partial?: Uint8Array } | { error: string };

/** Atomics.waitAsync (Node 16+; typed only from lib ES2024, this repository builds with ES2023). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flag: Int32Array;
}

/** How long a single job may take before the pool gives up (a whole group of a large node takes seconds). */
const JOB_TIMEOUT_MS = 30 * 60_000;

export class HostWorkerPool {
  private closed = false;
  /** Asynchronous histogram calls in flight, and the tail of their queue. */
  private pending = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly threads: readonly Thread[],
    private readonly params: BoostHeParams,
  ) {}

  /** Starts `threads` workers for `params` and the guest's serialized Galois key; waits until each is ready. */
  static open(params: BoostHeParams, galoisKey: Uint8Array, threads = availableParallelism()): HostWorkerPool {
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 256)
      throw new Error(`host worker threads must be an integer in [1, 256], got ${threads}`);
    const sealPath = createRequire(import.meta.url).resolve('node-seal/throws_wasm_node_umd.js');
    const started: Thread[] = [];
    try {
      for (let i = 0; i < threads; i++) {
        const { port1, port2 } = new MessageChannel();
        const signal = new SharedArrayBuffer(4);
        const worker = new Worker(HOST_WORKER_SOURCE, {
          eval: true,
          workerData: { port: port2, signal, sealPath, params, galoisKey },
          transferList: [port2],
        });
        worker.unref();
        port1.unref();
        started.push({ worker, port: port1, flag: new Int32Array(signal) });
      }
      for (const t of started) HostWorkerPool.take(t);
    } catch (e) {
      for (const t of started) void t.worker.terminate();
      throw e;
    }
    return new HostWorkerPool(started, params);
  }

  get size(): number {
    return this.threads.length;
  }

  /**
   * Hands each worker its share of the gradient chunks and waits for their rotations: the (chunk, step d) pairs,
   * chunks x classes of them, are cut into one contiguous run per worker, so a chunk may be split between two
   * workers by step (the second one rotates through the first one's steps without keeping them).
   */
  setGradients(chunks: readonly Uint8Array[]): void {
    this.idle();
    const k = this.params.classes;
    const units = chunks.length * k;
    const w = this.threads.length;
    const share = this.threads.map(() => [] as { index: number; bytes: Uint8Array; from: number; to: number }[]);
    for (let i = 0; i < w; i++) {
      const start = Math.floor((i * units) / w);
      const end = Math.floor(((i + 1) * units) / w);
      for (let c = Math.floor(start / k); c * k < end; c++) {
        const from = Math.max(start - c * k, 0);
        const to = Math.min(end - c * k, k);
        if (to > from) share[i]!.push({ index: c, bytes: chunks[c]!, from, to });
      }
    }
    for (const [i, t] of this.threads.entries()) t.port.postMessage({ op: 'gradients', chunks: share[i] });
    this.collect();
  }

  /**
   * Every worker's partial bin sums (NTT form, unmasked, serialized without compression) for `rows` and `bins`;
   * workers whose chunks hold none of the rows return nothing.
   */
  partialHistograms(rows: Uint32Array, bins: readonly Uint8Array[]): Uint8Array[] {
    this.idle();
    this.postHistogram(rows, bins);
    return HostWorkerPool.partials(this.collect());
  }

  /**
   * The same without blocking this thread (Atomics.waitAsync): for a host that serves other requests while
   * the workers sum. Calls queue one behind the other; a synchronous call while one is pending throws.
   */
  partialHistogramsAsync(rows: Uint32Array, bins: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const run = async (): Promise<Uint8Array[]> => {
      this.live();
      this.pending++;
      try {
        this.postHistogram(rows, bins);
        for (const t of this.threads) {
          const waited = waitAsync(t.flag, 0, 0);
          if (waited.async) await waited.value;
        }
        return HostWorkerPool.partials(this.collect());
      } finally {
        this.pending--;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private postHistogram(rows: Uint32Array, bins: readonly Uint8Array[]): void {
    for (const t of this.threads)
      t.port.postMessage({ op: 'histogram', rows, bins, slotsPerFeature: this.params.binSlots });
  }

  private static partials(replies: readonly Reply[]): Uint8Array[] {
    return replies.map((r) => ('partial' in r ? r.partial : undefined)).filter((p): p is Uint8Array => p !== undefined);
  }

  /** Frees every worker's SEAL objects and ends the threads. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const t of this.threads) t.port.postMessage({ op: 'close' });
      for (const t of this.threads) HostWorkerPool.take(t);
    } finally {
      for (const t of this.threads) {
        t.port.close();
        void t.worker.terminate();
      }
    }
  }

  private collect(): Reply[] {
    const replies: Reply[] = [];
    let failure: Error | undefined;
    for (const t of this.threads) {
      try {
        replies.push(HostWorkerPool.take(t));
      } catch (e) {
        failure ??= e as Error;
      }
    }
    if (failure) throw failure;
    return replies;
  }

  /** Blocks until worker `t` raises its flag, then returns its reply (or throws its error). */
  private static take(t: Thread): Reply {
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      if (Atomics.wait(t.flag, 0, 0, 1_000) !== 'timed-out') break;
      if (Date.now() > deadline) throw new Error('host worker: no reply within the time limit');
      // A worker that failed to start never raises the flag: notice it by its exit.
      if (t.worker.threadId < 0) throw new Error('host worker: the thread exited');
    }
    let received = receiveMessageOnPort(t.port);
    // The flag is raised after the post; the message is normally already queued, but allow a moment.
    for (let i = 0; received === undefined && i < 1_000; i++) {
      Atomics.wait(t.flag, 0, 2, 1);
      received = receiveMessageOnPort(t.port);
    }
    Atomics.store(t.flag, 0, 0);
    if (received === undefined) throw new Error('host worker: the flag was raised with no reply');
    const reply = received.message as Reply;
    if ('error' in reply) throw new Error(`host worker: ${reply.error}`);
    return reply;
  }

  private live(): void {
    if (this.closed) throw new Error('HostWorkerPool was closed');
  }

  /** For the synchronous calls: the workers must not be in the middle of an asynchronous one. */
  private idle(): void {
    this.live();
    if (this.pending > 0) throw new Error('HostWorkerPool: an asynchronous histogram is still running');
  }
}
