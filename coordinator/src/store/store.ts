/**
 * Durable state of a coordinator: SQLite (embedded, one process) or PostgreSQL (shared by replicas) behind one
 * asynchronous interface.
 */
import type { ConsoleLogin } from './console-logins.js';
import type { ProductRecord, SaleRecord, SalesFilter } from './sales-records.js';

export type { ConsoleLogin, ConsoleRole } from './console-logins.js';
export type { ProductRecord, SaleRecord, SalesFilter } from './sales-records.js';
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every job status, in the order of a job's life. */
export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/** active: may connect; disabled: cut off until the operator enables it again; revoked: cut off for good. */
export type ParticipantStatus = 'active' | 'disabled' | 'revoked';

export interface ParticipantRecord {
  id: string;
  /** Given by the operator (`tessera coordinator enroll NAME`), bound to the enrolment token. */
  name: string;
  publicKey: Uint8Array;
  enrolledAt: number;
  status: ParticipantStatus;
  /** When the operator last disabled, enabled or revoked it (undefined: never). */
  statusChangedAt?: number;
  /** When the coordinator last heard from it (at each hello, and while it stays connected); undefined: never. */
  lastSeenAt?: number;
}

/** A participant as enrolment creates it (active, never seen). */
export type NewParticipant = Pick<ParticipantRecord, 'id' | 'name' | 'publicKey' | 'enrolledAt'>;

/** pending: can still enrol; used, expired and revoked tokens are refused. */
export type EnrollmentTokenStatus = 'pending' | 'used' | 'expired' | 'revoked';

/** What the coordinator keeps of an enrolment token: never the token, only its hash (not listed here). */
export interface EnrollmentTokenRecord {
  /** A public handle for listing and revoking (`tok-...`); it reveals nothing of the token. */
  id: string;
  /** The participant's name, chosen by the operator. */
  name: string;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
  /** The participant it enrolled, once used. */
  participantId?: string;
  revokedAt?: number;
  /** Derived from the times above at the moment of reading. */
  status: EnrollmentTokenStatus;
}

/**
 * invited: the operator issued an invitation, not redeemed yet; expired: it expired unredeemed; active: the analyst's
 * Ed25519 key is registered (joined, or registered by the operator); revoked: refused for good.
 */
export type AnalystStatus = 'invited' | 'expired' | 'active' | 'revoked';

/** An analyst identity: a name chosen by the operator and, once joined, the analyst's Ed25519 public key. */
export interface AnalystRecord {
  name: string;
  /** Undefined until the analyst joins (or the operator registers the key). */
  publicKey?: Uint8Array;
  createdAt: number;
  /** When the pending invitation expires (undefined: registered directly, or none issued). */
  invitationExpiresAt?: number;
  joinedAt?: number;
  revokedAt?: number;
  /** Derived from the fields above at the moment of reading. */
  status: AnalystStatus;
}

export type AnalystJoinResult = { ok: true; analyst: AnalystRecord } | { ok: false; reason: string };

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
  /** The analyst (name) who submitted it; only that analyst sees it. Empty for jobs from before analyst identities. */
  owner?: string;
}

export type RoundStage =
  | 'schema'
  | 'statistics'
  | 'fit'
  | 'evaluate'
  | 'score'
  | 'query'
  | 'overlap'
  | 'valuate'
  | 'vertical'
  | 'vertical-score'
  | 'recommend'
  | 'catalogue';
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

/** A replica's claim to drive a job until `expiresAt`; `epoch` grows by one at each new holder (a fencing token). */
/** A coordinator process sharing the database: where the others reach it, and when it last said it was alive. */
export interface ReplicaRecord {
  id: string;
  address: string;
  startedAt: number;
  heartbeatAt: number;
}

export interface JobLease {
  jobId: string;
  holder: string;
  epoch: number;
  expiresAt: number;
}

export interface Store {
  /** Stores only the token's hash, valid until `expiresAt` (default: 24 h after `now`); returns nothing secret. */
  addEnrollmentToken(
    tokenHash: string,
    name: string,
    options?: { expiresAt?: number; now?: number },
  ): Promise<EnrollmentTokenRecord>;
  /**
   * Atomically marks the token used and creates the participant, named as the token (a `name` that differs is
   * refused; an empty one is fine); an unknown, used, revoked or expired token is refused with what to do.
   */
  redeemEnrollmentToken(tokenHash: string, participant: NewParticipant, now?: number): Promise<RedeemResult>;
  /** Every token issued, oldest first, with its status at `now`. */
  listEnrollmentTokens(now?: number): Promise<EnrollmentTokenRecord[]>;
  /** Marks a pending token revoked; throws an EnrolmentError for an unknown or used token. Idempotent. */
  revokeEnrollmentToken(id: string, now?: number): Promise<EnrollmentTokenRecord>;
  getParticipant(id: string): Promise<ParticipantRecord | undefined>;
  listParticipants(): Promise<ParticipantRecord[]>;
  /** Participants that are not active (disabled or revoked): the running coordinator cuts their sessions off. */
  inactiveParticipants(): Promise<ParticipantRecord[]>;
  /**
   * Disables, enables or revokes a participant; throws an EnrolmentError for an unknown one or to bring back a revoked
   * one (revocation is final). Setting the status it already has changes nothing.
   */
  setParticipantStatus(id: string, status: ParticipantStatus, now?: number): Promise<ParticipantRecord>;
  /** Records that the coordinator heard from these participants at `at`. */
  markParticipantsSeen(ids: readonly string[], at: number): Promise<void>;

  /**
   * A new invitation for analyst `name` (only the secret's hash is kept), valid until `expiresAt`; replaces an
   * unredeemed one. Throws an AnalystError for a name already taken by a joined or revoked analyst.
   */
  inviteAnalyst(name: string, secretHash: string, times: { now: number; expiresAt: number }): Promise<AnalystRecord>;
  /**
   * Registers an analyst's Ed25519 key directly (the operator's `analysts add NAME --public-key`); throws an
   * AnalystError for a name or key already taken.
   */
  registerAnalyst(name: string, publicKey: Uint8Array, now?: number): Promise<AnalystRecord>;
  /** Atomically redeems a pending invitation for this key; an unknown, expired or used one is refused with why. */
  redeemAnalystInvitation(secretHash: string, publicKey: Uint8Array, now?: number): Promise<AnalystJoinResult>;
  getAnalyst(name: string, now?: number): Promise<AnalystRecord | undefined>;
  analystByKey(publicKey: Uint8Array, now?: number): Promise<AnalystRecord | undefined>;
  /** Every analyst, oldest first. */
  listAnalysts(now?: number): Promise<AnalystRecord[]>;
  /** Revokes an analyst for good (idempotent); throws an AnalystError for an unknown one. */
  revokeAnalyst(name: string, now?: number): Promise<AnalystRecord>;

  createJob(job: JobRecord): Promise<void>;
  getJob(id: string): Promise<JobRecord | undefined>;
  /** The newest jobs first; only those of `owner` when given. */
  listJobs(limit: number, owner?: string): Promise<JobRecord[]>;
  jobsWithStatus(statuses: readonly JobStatus[]): Promise<JobRecord[]>;
  /** How many jobs are in each status, every status present (0 when none): one indexed count, for metrics. */
  countJobsByStatus(): Promise<Record<JobStatus, number>>;
  updateJob(id: string, patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>): Promise<void>;

  addRound(round: RoundRecord): Promise<void>;
  listRounds(jobId: string): Promise<RoundRecord[]>;

  /**
   * Records a completed round and its model in one transaction; `contextJson`, when given, is the job's context as
   * of that round (a strategy's optimiser state), written in the same transaction. With `lease`, the write happens
   * only if that holder still holds that epoch's lease (unexpired, checked in the same transaction); otherwise it
   * throws LeaseLost and writes nothing.
   */
  completeRound(
    round: RoundRecord,
    weights: Float64Array,
    roundsCompleted: number,
    contextJson?: string,
    lease?: { holder: string; epoch: number },
  ): Promise<void>;
  loadModel(jobId: string, round: number): Promise<Float64Array | undefined>;
  latestModel(jobId: string): Promise<{ round: number; weights: Float64Array } | undefined>;

  /**
   * Appends to the payout ledger atomically: `build` receives the current head ({seq: 0, hash: ''}
   * when empty) and returns the rows to append after it, in order. With `sale`, the sale or refund it returns for
   * those rows is written in the same transaction (a sale exists iff its entries do); if that row cannot be written
   * (its id is taken: a racing refund), nothing is appended and the error is thrown.
   */
  appendLedger(
    build: (head: { seq: number; hash: string }) => LedgerRow[],
    sale?: (rows: LedgerRow[]) => SaleRecord,
  ): Promise<LedgerRow[]>;
  /** Ledger rows in order; only one job's when `jobId` is given. */
  ledgerRows(jobId?: string): Promise<LedgerRow[]>;
  ledgerHead(): Promise<{ seq: number; hash: string }>;
  /** The ledger row at `seq`, if any. */
  ledgerRowAt(seq: number): Promise<LedgerRow | undefined>;
  /** Keeps a member's cosignature (JSON) over the head at `seq`; a second one by the same member is ignored. */
  addLedgerCosignature(seq: number, participant: string, json: string): Promise<void>;
  /** Every kept cosignature's JSON, by seq then participant. */
  ledgerCosignatures(): Promise<string[]>;

  /**
   * Takes up to `limit` jobs with status pending or running whose lease is absent or expired at `now`, oldest first,
   * for `holder`, each until `now + ttlMs` with the job's next epoch (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED).
   */
  acquireJobLeases(holder: string, ttlMs: number, limit: number, now?: number): Promise<JobLease[]>;
  /**
   * Extends to `now + ttlMs` the given leases that `holder` still holds (unexpired at `now`); returns the job ids it
   * no longer holds (lost: expired, released, taken over, or never held).
   */
  renewJobLeases(holder: string, jobIds: readonly string[], ttlMs: number, now?: number): Promise<string[]>;
  /**
   * Gives up a lease (a finished or suspended job); only the holder's own. The lease stays, expired (at 0), so the
   * job's next holder gets the next epoch.
   */
  releaseJobLease(jobId: string, holder: string): Promise<void>;
  /** The lease of a job, if any (expired ones too). */
  jobLease(jobId: string): Promise<JobLease | undefined>;

  /** Notes a coordinator replica and where the others reach it (replaces an entry of the same id). */
  registerReplica(id: string, address: string, now?: number): Promise<void>;
  /** Says replica `id` is alive at `now`. */
  heartbeatReplica(id: string, now?: number): Promise<void>;
  /** The replicas that said they were alive at `since` or later, oldest first. */
  liveReplicas(since: number): Promise<ReplicaRecord[]>;
  removeReplica(id: string): Promise<void>;
  /** The secret replicas prove themselves with to each other: 32 random bytes, drawn once by the first that asks. */
  replicaSecret(): Promise<Uint8Array>;

  /** Lists a data-trust product; throws if its id is taken. */
  addProduct(product: ProductRecord): Promise<void>;
  getProduct(id: string): Promise<ProductRecord | undefined>;
  /** Products oldest first; only those of `owner` when given. */
  listProducts(owner?: string): Promise<ProductRecord[]>;
  /** A sale or refund by its id. */
  getSale(id: string): Promise<SaleRecord | undefined>;
  /** Sales and refunds in the order they were made, filtered (see SalesFilter; `owner` is the product's). */
  listSales(filter?: SalesFilter): Promise<SaleRecord[]>;

  /** Keeps a one-time console login link (by the SHA-256 hex of its token) until `login.expiresAt`. */
  addConsoleLogin(tokenHash: string, login: ConsoleLogin, now?: number): Promise<void>;
  /** Uses up a console login link: whom it logs in, or undefined if unknown, used or expired (atomic: once only). */
  takeConsoleLogin(tokenHash: string, now?: number): Promise<ConsoleLogin | undefined>;

  /** The newest schema migration applied (a query: it also shows the store answers). */
  schemaVersion(): number | Promise<number>;

  close(): Promise<void>;
}
