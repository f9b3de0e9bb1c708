// The messages between the load harness and its worker processes (load-worker.ts), over the fork IPC channel.

/** Run these participants: their config files, the shard each serves, the coordinator addresses to spread over. */
export interface WorkerStart {
  type: 'start';
  configPaths: string[];
  /** Shard index of each participant (participants of one shard share its parsed table). */
  shards: number[];
  /** Participant k of this worker dials addresses[k mod length] (one address per coordinator replica). */
  addresses: string[];
}

export type ParentMessage = WorkerStart | { type: 'reset' } | { type: 'counts' } | { type: 'stop' };

export type WorkerMessage =
  | { type: 'alive' }
  | { type: 'ready'; participants: number; rssBeforeKiB: number; rssAfterKiB: number }
  | { type: 'counts'; sent: number; received: number; rssKiB: number; hwmKiB: number; maxStallSeconds: number }
  | { type: 'problem'; line: string }
  | { type: 'failed'; error: string }
  | { type: 'stopped' };
