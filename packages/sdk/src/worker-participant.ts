import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DropoutPlan } from '@tessera/participant';
import type { LocalParticipant } from './local-federation.js';

type TaskRef = { jobId: string; round: number; stage: number };
type WorkerMessage = { event: string; line?: string; message?: string; ref?: TaskRef };

/**
 * A participant node in its own worker thread (@tessera/participant/worker). The thread starts, connects and may be
 * welcomed as soon as it is constructed, long before `start()` is called (a federation enrols every other participant
 * first), so the readiness is listened for from construction on: a message no listener hears is lost for good.
 */
export class WorkerParticipant implements LocalParticipant {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  /** Whether the thread has ended ('exit' comes once: a stop() waiting for it after that would wait for ever). */
  private exited = false;

  constructor(
    readonly name: string,
    readonly id: string,
    readonly configPath: string,
    private readonly log: (l: string) => void,
    dropout?: DropoutPlan,
  ) {
    const require = createRequire(import.meta.url);
    this.worker = new Worker(require.resolve('@tessera/participant/worker'), {
      workerData: { configPath, ...(dropout ? { dropout } : {}) },
    });
    this.worker.on('message', (m: WorkerMessage) => {
      if (m.event === 'log' && m.line) this.log(m.line);
      if (m.event === 'error') this.log(`participant ${name} failed: ${m.message}`);
    });
    this.worker.once('exit', () => {
      this.exited = true;
    });
    // A thread that failed is logged (an 'error' event nobody listens to would throw in the federation's thread).
    this.worker.on('error', (e) => this.log(`participant ${name}'s worker thread failed: ${e.message}`));
    this.ready = new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (m: WorkerMessage) => {
        if (m.event === 'ready') settle();
        if (m.event === 'error') settle(new Error(`participant ${this.name}: ${m.message}`));
      };
      const onExit = (code: number) =>
        settle(new Error(`participant ${this.name}: its worker thread exited (code ${code}) before it connected`));
      const onError = (e: Error) => settle(new Error(`participant ${this.name}: ${e.message}`));
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
    });
    // start() hands the failure on; this only keeps one before start() from going unhandled.
    this.ready.catch(() => undefined);
  }

  /** Resolves once the coordinator welcomed the node (perhaps before this call), rejects if its thread failed. */
  start(): Promise<void> {
    return this.ready;
  }

  drop(): void {
    this.worker.postMessage('drop');
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  nextTask(stage?: number): Promise<TaskRef> {
    return new Promise((resolve) => {
      const on = (m: WorkerMessage) => {
        if (m.event !== 'task' || (stage !== undefined && m.ref?.stage !== stage)) return;
        this.worker.off('message', on);
        resolve(m.ref!);
      };
      this.worker.on('message', on);
    });
  }
}
