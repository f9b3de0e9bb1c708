import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DropoutPlan } from '@tessera/participant';

/** A node this thread is to run: its config file, and its simulated dropouts. */
export interface ThreadNodeSpec {
  configPath: string;
  dropout?: DropoutPlan;
}

/** A message from the thread about one of its nodes. */
export interface ThreadMessage {
  event: string;
  index: number;
  line?: string;
  message?: string;
  ref?: { jobId: string; round: number; stage: number };
}

/**
 * One worker thread (@tessera/participant/worker) that runs participant nodes, each known by its index in the thread.
 * Nodes sharing a thread share one V8 heap and one copy of the code: a thread per node would cost tens of MB and
 * seconds of module loading each, and more threads than cores only take turns.
 */
export class ParticipantThread {
  private readonly worker: Worker;
  private readonly events = new EventEmitter();
  private added = 0;
  private exitCode: number | undefined;
  private terminating: Promise<number> | undefined;

  /** A thread with no node yet (`add` them), or started with this one node as node 0. */
  constructor(first?: ThreadNodeSpec) {
    const require = createRequire(import.meta.url);
    this.worker = new Worker(require.resolve('@tessera/participant/worker'), { workerData: first ?? {} });
    if (first) this.added = 1;
    this.events.setMaxListeners(0); // one or two listeners per node, and a thread may run hundreds of nodes
    this.worker.on('message', (m: ThreadMessage) => this.events.emit(String(m.index), m));
    this.worker.on('error', (e: Error) => this.events.emit('failed', e));
    this.worker.once('exit', (code: number) => {
      this.exitCode = code;
      this.events.emit('exit', code);
    });
  }

  /** Whether the thread has ended (its exit code), or undefined while it runs. */
  get exited(): number | undefined {
    return this.exitCode;
  }

  /** Starts one more node in the thread; its index. */
  add(spec: ThreadNodeSpec): number {
    this.worker.postMessage({ add: spec });
    return this.added++;
  }

  /** Listens to the messages about node `index`. */
  onNode(index: number, listener: (m: ThreadMessage) => void): void {
    this.events.on(String(index), listener);
  }

  offNode(index: number, listener: (m: ThreadMessage) => void): void {
    this.events.off(String(index), listener);
  }

  /** Listens for the thread failing ('failed', with the error) or ending ('exit', with its code). */
  onThread(event: 'failed' | 'exit', listener: (x: never) => void): void {
    this.events.on(event, listener as (x: unknown) => void);
  }

  offThread(event: 'failed' | 'exit', listener: (x: never) => void): void {
    this.events.off(event, listener as (x: unknown) => void);
  }

  post(message: { stop: number } | { drop: number }): void {
    if (this.exitCode === undefined) this.worker.postMessage(message);
  }

  /** Ends the thread at once, with every node in it (once: its nodes may each ask, and each call adds a listener). */
  terminate(): Promise<number> {
    this.terminating ??= this.worker.terminate();
    return this.terminating;
  }
}
