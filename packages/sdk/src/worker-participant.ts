import type { DropoutPlan } from '@tessera/participant';
import type { LocalParticipant } from './local-participant.js';
import { ParticipantThread, type ThreadMessage } from './participant-thread.js';

type TaskRef = { jobId: string; round: number; stage: number };

/**
 * A participant node in a worker thread (a ParticipantThread, shared with other nodes or its own). The node starts,
 * connects and may be welcomed as soon as it is constructed, long before `start()` is called (a federation enrols
 * every other participant first), so its readiness is listened for from construction on: a message no listener hears
 * is lost for good.
 */
export class WorkerParticipant implements LocalParticipant {
  private readonly thread: ParticipantThread;
  private readonly index: number;
  private readonly ready: Promise<void>;
  private stopped: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly id: string,
    readonly configPath: string,
    private readonly log: (l: string) => void,
    dropout?: DropoutPlan,
    /** The thread to run in (default: a thread of its own). */
    thread?: ParticipantThread,
  ) {
    const spec = { configPath, ...(dropout ? { dropout } : {}) };
    if (thread) {
      this.thread = thread;
      this.index = thread.add(spec);
    } else {
      this.thread = new ParticipantThread(spec);
      this.index = 0;
    }
    this.thread.onNode(this.index, (m) => {
      if (m.event === 'log' && m.line) this.log(m.line);
      if (m.event === 'error') this.log(`participant ${name} failed: ${m.message}`);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        this.thread.offNode(this.index, onMessage);
        this.thread.offThread('failed', onFailed);
        this.thread.offThread('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (m: ThreadMessage) => {
        if (m.event === 'ready') settle();
        if (m.event === 'error') settle(new Error(`participant ${this.name}: ${m.message}`));
      };
      const onExit = (code: number) =>
        settle(new Error(`participant ${this.name}: its worker thread exited (code ${code}) before it connected`));
      const onFailed = (e: Error) => settle(new Error(`participant ${this.name}: ${e.message}`));
      this.thread.onNode(this.index, onMessage);
      this.thread.onThread('failed', onFailed);
      this.thread.onThread('exit', onExit);
    });
    // start() hands the failure on; this only keeps one before start() from going unhandled.
    this.ready.catch(() => undefined);
  }

  /** Resolves once the coordinator welcomed the node (perhaps before this call), rejects if its thread failed. */
  start(): Promise<void> {
    return this.ready;
  }

  drop(): void {
    this.thread.post({ drop: this.index });
  }

  /** Stops the node; one that has not stopped within 5 s takes its thread (and the thread's other nodes) down. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.thread.exited !== undefined) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.thread.offNode(this.index, onMessage);
        this.thread.offThread('exit', done);
        resolve();
      };
      const onMessage = (m: ThreadMessage) => {
        if (m.event === 'stopped') done();
      };
      const timer = setTimeout(() => void this.thread.terminate(), 5000);
      this.thread.onNode(this.index, onMessage);
      this.thread.onThread('exit', done);
      this.thread.post({ stop: this.index });
    });
    return this.stopped;
  }

  nextTask(stage?: number): Promise<TaskRef> {
    return new Promise((resolve) => {
      const on = (m: ThreadMessage) => {
        if (m.event !== 'task' || (stage !== undefined && m.ref?.stage !== stage)) return;
        this.thread.offNode(this.index, on);
        resolve(m.ref!);
      };
      this.thread.onNode(this.index, on);
    });
  }
}
