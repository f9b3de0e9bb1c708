/** A participant started by a local federation, in this thread or in a worker thread. */
export interface LocalParticipant {
  readonly name: string;
  readonly id: string;
  readonly configPath: string;
  /** Cuts its connection as a crash would; it reconnects after a backoff. */
  drop(): void;
  stop(): Promise<void>;
  /**
   * Resolves when the participant has received a task of the given stage (1 schema, 2 statistics, 3 fit, 4 evaluate).
   */
  nextTask(stage?: number): Promise<{ jobId: string; round: number; stage: number }>;
}
