/** Durable state of a coordinator. SQLite implements it today; a PostgreSQL store fills the same interface. */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ParticipantRecord {
  id: string;
  name: string;
  publicKey: Uint8Array;
  enrolledAt: number;
}

export interface JobRecord {
  id: string;
  name: string;
  specJson: string;
  status: JobStatus;
  roundsCompleted: number;
  roundsTotal: number;
  createdAt: number;
  updatedAt: number;
  error: string;
  /** Results of the job's setup stages (agreed schema, standardisation), JSON; empty until they ran. */
  contextJson: string;
}

export type RoundStage = 'schema' | 'statistics' | 'fit' | 'evaluate' | 'score' | 'query' | 'overlap' | 'valuate';
export type RoundStatus = 'completed' | 'failed' | 'abandoned';

export interface RoundRecord {
  jobId: string;
  round: number;
  stage: RoundStage;
  attempt: number;
  status: RoundStatus;
  contributors: number;
  dropped: string[];
  metrics: Record<string, number>;
  seconds: number;
  error: string;
  finishedAt: number;
}

/** One stored payout ledger entry: its position, hash and the signed JSON line. */
export interface LedgerRow {
  seq: number;
  jobId: string;
  participant: string;
  hash: string;
  line: string;
}

export type RedeemResult = { ok: true; participant: ParticipantRecord } | { ok: false; reason: string };

export interface Store {
  /** Stores only the token's hash; returns nothing secret. */
  addEnrollmentToken(tokenHash: string, name: string): void;
  /**
   * Atomically marks the token used and creates the participant (named as the token when `name` is empty); a used or
   * unknown token is refused.
   */
  redeemEnrollmentToken(tokenHash: string, participant: ParticipantRecord): RedeemResult;
  getParticipant(id: string): ParticipantRecord | undefined;
  listParticipants(): ParticipantRecord[];

  createJob(job: JobRecord): void;
  getJob(id: string): JobRecord | undefined;
  listJobs(limit: number): JobRecord[];
  jobsWithStatus(statuses: readonly JobStatus[]): JobRecord[];
  updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): void;

  addRound(round: RoundRecord): void;
  listRounds(jobId: string): RoundRecord[];

  /** Persists a completed round's model and the job's progress in one transaction. */
  completeRound(round: RoundRecord, weights: Float64Array, roundsCompleted: number): void;
  loadModel(jobId: string, round: number): Float64Array | undefined;
  latestModel(jobId: string): { round: number; weights: Float64Array } | undefined;

  /**
   * Appends to the payout ledger atomically: `build` receives the current head ({seq: 0, hash: ''}
   * when empty) and returns the rows to append after it, in order.
   */
  appendLedger(build: (head: { seq: number; hash: string }) => LedgerRow[]): LedgerRow[];
  /** Ledger rows in order; only one job's when `jobId` is given. */
  ledgerRows(jobId?: string): LedgerRow[];
  ledgerHead(): { seq: number; hash: string };

  close(): void;
}
