// The contract between the TaskDispatcher and the handler of each task kind, and what a handler may use.
import type { Logger } from '@tessera/transport';
import type { tessera } from '@tessera/proto';
import type { Connection } from '../connection.js';
import type { ConsentGuard } from '../consent/consent-guard.js';
import type { JobMemory } from '../job-memory.js';
import type { LocalResult } from '../local-compute.js';
import type { LocalData } from '../local-data.js';
import type { OverlapPolicy } from '../overlap-policy.js';
import type { PrivacyLedger } from '../privacy/privacy-ledger.js';
import type { CheckedTask } from '../privacy/release-check.js';
import type { Send } from '../uploader.js';

/** What a handler may use: this node's data and services, and the connection the task came on. */
export interface TaskContext {
  /** This node's participant id. */
  readonly id: string;
  /**
   * The name this node enrolled under: what seeds its plaintext training and validation split, so that the same job
   * seed over the same data gives the same model in every run (ids are random per enrolment).
   */
  readonly name: string;
  readonly data: LocalData;
  /**
   * The node's data, opened by its start (every data set registered in the local engine): a task waits for it before
   * admission, and never opens or reads anything itself before admission.
   */
  readonly dataReady?: Promise<void>;
  readonly consent: ConsentGuard;
  /** The connection the task came on; its protocol state (secure contribution, PSI run, uploads) lives there. */
  readonly connection: Connection<ActiveTask>;
  /** Job state kept across connections. */
  readonly memory: JobMemory;
  /** The node's identity signing key (SecAgg+ signs its advertised keys with it). */
  readonly identitySecretKey: Uint8Array;
  /** Analyst identities (hex) the owner trusts for sealed rounds; empty trusts any validly signed key. */
  readonly trustedAnalysts: readonly string[];
  /** Audience overlap: the owner's minimum set size and counting peers (default DEFAULT_OVERLAP_POLICY). */
  readonly overlapPolicy?: OverlapPolicy;
  /** The roster authority's Ed25519 key (hex) the owner configured, if any: an overlap peer needs its certificate. */
  readonly rosterAuthority?: string;
  /** The node's ledger: overlap runs and the peer keys pinned on first use (overlap-runs.ts). */
  readonly ledger: PrivacyLedger;
  /** Sends on the task's connection; fails with "not connected" once that connection is gone. */
  readonly send: Send;
  /** Refuses a task step: logs it, appends the refusal to the audit log and sends TaskRefused. */
  refuse(
    ref: tessera.v1.ITaskRef | null | undefined,
    /** The reason, or the error whose message it is (its class gives TaskRefused.kind). */
    reason: string | Error,
    task?: tessera.v1.ITask,
    stage?: number,
  ): Promise<void>;
  /** Emits the node's 'task' or 'done' event. */
  emit(event: 'task' | 'done', ref: tessera.v1.ITaskRef | null | undefined): void;
  /** The node's dropout hook: true if it dropped its connection on this step (tests and demos). */
  dropsOut(ref: tessera.v1.ITaskRef | null | undefined): boolean;
  /** The node's logger (fields: participantId, jobId, round, stage; never data values or keys). */
  logger: Logger;
}

/** A data task on its connection: received, possibly waiting for its model, then computed once. */
export interface ActiveTask {
  task: tessera.v1.ITask;
  handler: ComputeHandler;
  /** What admission admitted it as (the node's own plan from the job's spec). */
  checked?: CheckedTask;
  model?: Float64Array;
  received: number;
  cancelled: boolean;
}

/** A local result and the rows it read (logged as the data use). */
export interface Computed<R> {
  result: R;
  rows: number;
}

/**
 * A task kind that computes one local result from admitted data and answers with it: schema,
 * statistics, fit, evaluate, query, score. The dispatcher runs admission, then `compute`, records
 * the use, then answers with `reply`, or, for a task with a secure setup and a handler that has
 * `secureInput`, contributes the result to a SecAgg+ round instead.
 */
export interface ComputeHandler<R = unknown> {
  readonly kind: 'compute';
  readonly stage: tessera.v1.Stage;
  /** What must load before the task becomes active (e.g. the SEAL library), or undefined if nothing. */
  prepare?(task: tessera.v1.ITask): Promise<unknown> | undefined;
  /** A check inside admission, after consent and before the budget charge: a task it refuses is never charged. */
  beforeCharge?(ctx: TaskContext, task: tessera.v1.ITask): void;
  /** Reads the data (the task was admitted); large data sets are read by the engine, asynchronously. */
  compute(ctx: TaskContext, active: ActiveTask): Computed<R> | Promise<Computed<R>>;
  /** Answers in the clear. */
  reply(ctx: TaskContext, active: ActiveTask, result: R): Promise<void>;
  /** The result as the input of a secure sum; absent for kinds that are never securely aggregated. */
  secureInput?(result: R): LocalResult;
}

/**
 * A task kind that starts a protocol run of its own once admitted (overlap, valuate). `start`
 * reads the data, calls `record` with the rows it used and sends its messages; if admission or
 * `start` throws, the dispatcher calls `abandon` and refuses the task with the message.
 */
export interface SessionHandler {
  readonly kind: 'session';
  readonly stage: tessera.v1.Stage;
  /** A check inside admission, after consent and before the budget charge: a task it refuses is never charged. */
  beforeCharge?(ctx: TaskContext, task: tessera.v1.ITask): void;
  start(ctx: TaskContext, task: tessera.v1.ITask, record: (rows: number) => void): Promise<void>;
  abandon?(ctx: TaskContext, task: tessera.v1.ITask): void;
}

export type TaskHandler = ComputeHandler | SessionHandler;
