// The load harness's worker processes: each runs a share of the simulated participants (load-worker.ts).
import { fork, type ChildProcess } from 'node:child_process';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

type Of<T extends WorkerMessage['type']> = Extract<WorkerMessage, { type: T }>;

/** One forked worker and the replies it owes. */
class LoadWorker {
  private readonly waiting = new Map<string, ((m: WorkerMessage) => void)[]>();
  private exitReason = '';
  readonly exited: Promise<void>;

  constructor(
    readonly child: ChildProcess,
    onProblem: (line: string) => void,
  ) {
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'problem') return onProblem(m.line);
      const key = m.type === 'failed' ? 'ready' : m.type;
      const queue = this.waiting.get(key);
      queue?.shift()?.(m);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitReason = `worker process ${child.pid} exited (${signal ?? `code ${code}`})`;
        for (const q of this.waiting.values())
          for (const f of q.splice(0)) f({ type: 'failed', error: this.exitReason });
        resolve();
      }),
    );
  }

  /** Sends `m` and resolves with the worker's reply of type `reply` (rejects if the worker failed or exited). */
  ask<T extends WorkerMessage['type']>(m: ParentMessage | undefined, reply: T): Promise<Of<T>> {
    if (this.exitReason) return Promise.reject(new Error(this.exitReason));
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(reply) ?? [];
      queue.push((r) => (r.type === 'failed' ? reject(new Error(r.error)) : resolve(r as Of<T>)));
      this.waiting.set(reply, queue);
      if (m) this.child.send(m);
    });
  }
}

export interface WorkerTotals {
  /** Messages the participants signed and sent to the coordinator, and coordinator messages they received. */
  sent: number;
  received: number;
  /** Sum of the workers' current resident sets and of their peaks. */
  rssKiB: number;
  hwmKiB: number;
  /** The longest event-loop stall of any worker since the last reset. */
  maxStallSeconds: number;
}

/** `count` worker processes, each running its share of the participants. */
export class WorkerPool {
  private constructor(private readonly workers: LoadWorker[]) {}

  static async start(count: number, onProblem: (line: string) => void): Promise<WorkerPool> {
    const script = new URL('./load-worker.js', import.meta.url);
    const workers = Array.from(
      { length: count },
      () =>
        new LoadWorker(
          fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] }),
          onProblem,
        ),
    );
    const pool = new WorkerPool(workers);
    try {
      await Promise.all(workers.map((w) => w.ask(undefined, 'alive')));
    } catch (e) {
      await pool.stop();
      throw e;
    }
    return pool;
  }

  /**
   * Deals participant i to worker i mod count and starts them all; resolves once every node was welcomed, with each
   * worker's resident set before and after its nodes started.
   */
  async run(configPaths: readonly string[], shardOf: (i: number) => number, addresses: readonly string[]) {
    const count = this.workers.length;
    const mine = (w: number) => configPaths.map((_, i) => i).filter((i) => i % count === w);
    return Promise.all(
      this.workers.map((worker, w) => {
        const indices = mine(w);
        return worker.ask(
          {
            type: 'start',
            configPaths: indices.map((i) => configPaths[i]!), // indices come from configPaths
            shards: indices.map(shardOf),
            // Participant i dials replica i mod replicas whichever worker runs it.
            addresses: indices.map((i) => addresses[i % addresses.length]!),
          },
          'ready',
        );
      }),
    );
  }

  async resetCounts(): Promise<void> {
    for (const w of this.workers) w.child.send({ type: 'reset' } satisfies ParentMessage);
    // A round trip to each worker makes sure the reset happened before what follows.
    await this.totals();
  }

  async totals(): Promise<WorkerTotals> {
    const all = await Promise.all(this.workers.map((w) => w.ask({ type: 'counts' }, 'counts')));
    const sum = (f: (c: Of<'counts'>) => number) => all.reduce((a, c) => a + f(c), 0);
    return {
      sent: sum((c) => c.sent),
      received: sum((c) => c.received),
      rssKiB: sum((c) => c.rssKiB),
      hwmKiB: sum((c) => c.hwmKiB),
      maxStallSeconds: Math.max(...all.map((c) => c.maxStallSeconds)),
    };
  }

  /** Stops every node and worker (SIGKILL for a worker still running after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) return;
        const timer = setTimeout(() => w.child.kill('SIGKILL'), graceMs);
        try {
          w.child.send({ type: 'stop' } satisfies ParentMessage);
        } catch {
          w.child.kill('SIGKILL');
        }
        await w.exited;
        clearTimeout(timer);
      }),
    );
  }
}
