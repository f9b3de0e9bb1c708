// ParticipantNode: this node's life cycle; a Connection per stream, tasks through admission and the TaskDispatcher.
import { analystReason } from './analyst-reason.js';
import { refusalKindOf } from './refusal-kind.js';
import { EventEmitter } from 'node:events';
import type { SigningKeyPair } from '@tessera/crypto';
import { participantClient, stageName, tessera, type ChannelSecurity, type GenericClient } from '@tessera/proto';
import { Admission, type DataAdmission } from './admission.js';
import type { ParticipantConfig } from './config.js';
import { channelSecurityOf, explainUnreachable } from './coordinator-channel.js';
import { insecureWarning, lineLogger, silentLogger, type Logger } from '@tessera/transport';
import { Connection, type Stream } from './connection.js';
import { ParticipantMetrics } from './metrics/participant-metrics.js';
import { ConsentGuard, restrictSources } from './consent/consent-guard.js';
import { loadConsentPolicy, type ConsentPolicy } from './consent/policy.js';
import { JobMemory } from './job-memory.js';
import { LocalData, type OpenProgress } from './local-data.js';
import { acceptReceipt } from './payout-receipt.js';
import { receiptAuditFields } from './sales/sale-audit.js';
import { saleReceiptRefusal } from './sales/sale-receipt-check.js';
import { blankAuditFields } from './privacy/audit-chain.js';
import { cosignatureLine, cosignHead } from '@tessera/payouts';
import { PrivacyGuard } from './privacy/privacy-guard.js';
import { PrivacyLedger } from './privacy/privacy-ledger.js';
import { protectionPolicyOf } from './privacy/protection-minimums.js';
import { loadRosterSignature } from './roster-certificate.js';
import { describe } from './task-ref.js';
import { TaskDispatcher } from './tasks/dispatcher.js';
import type { ActiveTask, TaskContext } from './tasks/task-handler.js';
import type { Body, Send } from './uploader.js';

export type { DataAdmission } from './admission.js';

const SOFTWARE = 'tessera-participant/0.1.0';

export interface ParticipantNodeOptions {
  config: ParticipantConfig;
  identity: SigningKeyPair;
  /**
   * Serve this LocalData instead of opening `config.datasets` (default). Lets many nodes in one
   * process share parsed tables, e.g. a benchmark running a hundred nodes; a LocalData holds
   * no per-node state besides its caches.
   */
  data?: LocalData;
  /** Plain text lines at `logLevel` and above, for callers without a Logger; `logger` wins when both are given. */
  log?: (line: string) => void;
  /**
   * What `log` is given: 'warn' only problems (refusals, unreachable coordinator, warnings); 'info' (the default) also
   * connect, reconnect, disconnect, task start and finish, and stop; 'debug' also every coordinator message's kind.
   * A `logger` filters by its own level instead.
   */
  logLevel?: NodeLogLevel;
  /** Where the node logs, with fields (participantId, jobId, round, stage); default: `log`, else nothing. */
  logger?: Logger;
  /** Reconnect delays grow from this to `maxBackoffMs` (default 250 ms to 5 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Test and demo hook: return true to drop the connection on receiving this step (simulates a dropout). */
  dropAt?: (ref: tessera.v1.ITaskRef) => boolean;
  /** Use this consent policy instead of loading `config.policy`. */
  policy?: ConsentPolicy;
  /** The clock grant expiry is checked against, at every task (default Date.now; tests inject one). */
  clock?: () => number;
  /** How to reach the coordinator, instead of what the config says (coordinatorCa, insecure). */
  security?: ChannelSecurity;
}

/**
 * A participant node: dials out to the coordinator, answers its challenge with a signed hello,
 * runs each pushed task on local data and answers with signed messages. Reconnects with
 * backoff until stopped. Emits 'ready', 'task' (ref), 'done' (ref), 'rejected' (reason),
 * 'receipt' (entry), 'disconnected'.
 *
 * Each stream is a Connection, dropped whole when it ends; every task passes Admission (consent,
 * then privacy budget) before the TaskDispatcher's handler for its kind reads any data.
 */
/** How much a node logs (see ParticipantNodeOptions.logLevel). */
export type NodeLogLevel = 'warn' | 'info' | 'debug' | 'error' | 'trace';
export const NODE_LOG_LEVELS: readonly NodeLogLevel[] = ['warn', 'info', 'debug', 'error', 'trace'];

export class ParticipantNode extends EventEmitter {
  readonly data: LocalData;
  /** What this node's data was used for and the privacy it spent, durably. */
  readonly ledger: PrivacyLedger;
  /** The owner's consent policy, enforced before every read (allows everything without `config.policy`). */
  readonly consent: ConsentGuard;
  /** This node's Prometheus metrics, in a registry of its own (`metrics.registry.metrics()`). */
  readonly metrics: ParticipantMetrics;
  private readonly guard: PrivacyGuard;
  private readonly admission: Admission;
  private readonly dispatcher: TaskDispatcher;
  private readonly memory = new JobMemory();
  /** The roster authority's signature over this node's id and identity key, sent in every hello (empty: none). */
  private readonly rosterSignature: Uint8Array;
  private client: GenericClient | undefined;
  /** The current stream's connection; undefined while disconnected. */
  private connection: Connection<ActiveTask> | undefined;
  private stopped = true;
  /** The data's opening, started by start() (see TaskContext.dataReady). */
  private dataReady?: Promise<void>;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly logger: Logger;
  /** How the node reaches the coordinator: set at start (from the options, else the config). */
  private security: ChannelSecurity = { mode: 'insecure' };
  /** The last reason the coordinator could not be reached, logged once until the node connects again. */
  private unreachable = '';
  /** Whether this node was welcomed by the coordinator before (its next welcome is a reconnect). */
  private everConnected = false;
  /** The connections the coordinator welcomed (losing one of them is worth a line in the log). */
  private readonly welcomed = new WeakSet<object>();

  constructor(private readonly opts: ParticipantNodeOptions) {
    super();
    const clock = opts.clock ?? Date.now;
    const policy =
      opts.policy ??
      (opts.config.policy
        ? loadConsentPolicy(opts.config.policy, { datasets: Object.keys(opts.config.datasets), now: clock() })
        : undefined);
    if (opts.data && policy && Object.values(policy.datasets).some((d) => d.columns)) {
      throw new Error(
        `${policy.file}: datasets: a policy that restricts columns needs the node to open its own data ` +
          '(do not pass a shared LocalData)',
      );
    }
    this.data =
      opts.data ??
      new LocalData(restrictSources(opts.config.datasets, policy), { onProgress: (p) => this.dataProgress(p) });
    this.ledger = new PrivacyLedger(opts.config.ledger ?? ':memory:');
    this.guard = new PrivacyGuard(
      this.ledger,
      Object.fromEntries(Object.entries(opts.config.datasets).map(([name, src]) => [name, src.budget])),
    );
    this.consent = new ConsentGuard(policy, this.ledger, this.guard, clock);
    this.admission = new Admission(
      this.ledger,
      this.guard,
      this.consent,
      this.data,
      { trustedAnalysts: opts.config.trustedAnalysts ?? [] },
      protectionPolicyOf(opts.config, opts.identity.publicKey, policy),
      this.memory,
    );
    this.rosterSignature = loadRosterSignature(opts.config, opts.identity.publicKey);
    this.dispatcher = new TaskDispatcher(this.admission);
    this.metrics = new ParticipantMetrics(() => this.guard.report());
    this.logger = (opts.logger ?? (opts.log ? lineLogger(opts.log, opts.logLevel ?? 'info') : silentLogger)).child({
      participantId: opts.config.participantId,
    });
    this.backoff = opts.minBackoffMs ?? 250;
  }

  /** A line in the node's log as each data set opens (counting a large file's rows takes a while). */
  private dataProgress(p: OpenProgress): void {
    if (p.stage === 'opening') {
      this.logger.info({}, `participant ${this.id}: opening data set "${p.name}" (counting its rows)`);
      return;
    }
    if (p.stage === 'measuring') {
      this.logger.info(
        {},
        `participant ${this.id}: data set "${p.name}" has ${p.rows} rows, too many to hold in memory: ` +
          'scanning it for identifier-like columns and the training profile (a few seconds per million rows)',
      );
      return;
    }
    const d = p.description;
    this.logger.info(
      {},
      `participant ${this.id}: data set "${p.name}" open: ${d.rows} rows, ${d.columns.length} columns from ` +
        `${d.source} (${p.inMemory ? 'in memory' : 'streamed by the local engine'}; ${p.seconds.toFixed(1)} s)`,
    );
  }

  get id(): string {
    return this.opts.config.participantId;
  }

  /** This node's Ed25519 identity public key (what a secure round's setup lists for it). */
  get identityKey(): Uint8Array {
    return this.opts.identity.publicKey;
  }

  /** Validates local data and the channel's settings, then connects (and keeps reconnecting). */
  start(): void {
    this.data.validate();
    // The engine opens once, at start (every data set's columns and row count; a bad line in a large file is found
    // here). Tasks wait for it; none ever triggers a read of its own before admission.
    this.dataReady ??= this.data.open().then(
      () => undefined,
      (err: unknown) => {
        this.logger.error({}, `participant ${this.id}: cannot open its data: ${(err as Error).message}`);
        throw err;
      },
    );
    this.dataReady.catch(() => undefined);
    this.security = this.opts.security ?? channelSecurityOf(this.opts.config);
    const budgeted = Object.entries(this.opts.config.datasets)
      .filter(([, s]) => s.budget)
      .map(([n]) => n);
    for (const w of this.consent.startWarnings(this.data.names(), budgeted))
      this.logger.warn({}, `participant ${this.id}: warning: ${w}`);
    if (this.security.mode === 'insecure')
      this.logger.warn({}, `participant ${this.id}: ${insecureWarning(this.opts.config.coordinator)}`);
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    if (!this.stopped)
      this.logger.info({}, `participant ${this.id} stopping: disconnecting from ${this.opts.config.coordinator}`);
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.dropConnection();
    this.client?.close();
    this.client = undefined;
    this.memory.dispose();
    // A LocalData passed in is the caller's to close.
    if (!this.opts.data) {
      this.dataReady = undefined;
      await this.data.close();
    }
  }

  /** Cuts the current connection now (as a crash or network failure would); reconnects later unless stopped. */
  dropConnection(): void {
    const c = this.connection;
    this.connection = undefined;
    c?.close();
    c?.stream.cancel();
  }

  /**
   * Admits a task about to read data (consent, then privacy budget, in one ledger transaction);
   * see Admission.admit. Every task kind passes it before its handler runs.
   */
  admitData(task: tessera.v1.ITask, stage: number, beforeCharge?: () => void): DataAdmission {
    return this.admission.admit(task, stage, beforeCharge);
  }

  /** Records an admitted use of data: the data_use row and a hash-chained audit log entry. */
  recordDataUse(a: DataAdmission, rows: number): void {
    this.admission.record(a, rows);
  }

  /**
   * Refuses a task step: logs it, appends the refusal (with its reason) to the audit log, and
   * sends TaskRefused (the coordinator shows the reason in the job's refusals).
   */
  async sendRefused(
    ref: tessera.v1.ITaskRef | null | undefined,
    reason: string | Error,
    task?: tessera.v1.ITask,
    stage?: number,
  ): Promise<void> {
    return this.refuseOn((body) => this.send(body), ref, reason, task, stage);
  }

  private async refuseOn(
    send: Send,
    ref: tessera.v1.ITaskRef | null | undefined,
    cause: string | Error,
    task?: tessera.v1.ITask,
    stage?: number,
  ): Promise<void> {
    const reason = typeof cause === 'string' ? cause : cause.message;
    const kind = typeof cause === 'string' ? tessera.v1.RefusalKind.REFUSAL_FAILURE : refusalKindOf(cause);
    this.metrics.refused(ref, kind);
    this.logger.warn({ ...refFields(ref), reason }, `participant ${this.id} refused ${describe(ref)}: ${reason}`);
    try {
      this.admission.recordRefusal(ref, reason, task, stage);
    } catch (e) {
      this.logger.error(
        refFields(ref),
        `participant ${this.id}: could not append the refusal to the audit log: ${(e as Error).message}`,
      );
    }
    // The full reason stays here; the analyst is told the problem without this node's paths or other columns.
    await send({ refused: { task: ref, reason: analystReason(reason, this.opts.config.datasets), kind } });
  }

  private connect(): void {
    if (this.stopped) return;
    this.client ??= participantClient(this.opts.config.coordinator, this.security, (bytes) =>
      this.metrics.received(bytes),
    );
    const stream = this.client.connect!() as Stream; // the generic client has every method of ParticipantService
    const connection = new Connection<ActiveTask>(stream, this.id, this.opts.identity.secretKey);
    this.connection = connection;
    connection.onSent = (bytes) => this.metrics.sent(bytes);
    stream.on('data', (m: tessera.v1.CoordinatorMessage) => {
      if (connection.closed) return;
      this.onMessage(connection, m).catch((e) =>
        this.logger.warn({}, `participant ${this.id}: ${(e as Error).message}`),
      );
    });
    let over = false;
    const ended = () => {
      if (over) return;
      over = true;
      connection.close();
      if (this.connection === connection) this.connection = undefined;
      if (this.welcomed.has(connection)) this.metrics.disconnected();
      if (this.welcomed.has(connection) && !this.stopped)
        this.logger.info(
          {},
          `participant ${this.id} lost the connection to ${this.opts.config.coordinator}; reconnecting ` +
            `(next try in ${this.backoff} ms)`,
        );
      this.emit('disconnected');
      this.scheduleReconnect();
    };
    // grpc-js ends a call with 'status' (and 'error' for a non-OK status); 'close' is not guaranteed.
    stream.on('error', ended);
    stream.on('error', (e: { code?: number; details?: string }) => {
      if (e.code === 14)
        void this.reportUnreachable(e.details ?? ''); // 14: UNAVAILABLE, no connection
      // 16 UNAUTHENTICATED, 7 PERMISSION_DENIED: the coordinator refused this node's certificate; say why, once.
      else if ((e.code === 16 || e.code === 7) && e.details !== this.unreachable) {
        this.unreachable = e.details ?? '';
        this.logger.warn({}, `participant ${this.id}: the coordinator refused the connection: ${e.details}`);
      }
    });
    stream.on('status', ended);
    stream.on('end', ended);
    stream.on('close', ended);
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer?.hasRef()) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.connection) this.connect();
    }, delay);
  }

  /** Logs why the coordinator cannot be reached, once per reason (the node keeps retrying with backoff). */
  private async reportUnreachable(details: string): Promise<void> {
    if (details === this.unreachable) return;
    this.unreachable = details;
    const address = this.opts.config.coordinator;
    const why = await explainUnreachable(address, this.security, details).catch(() => details);
    this.logger.warn({}, `participant ${this.id}: cannot reach the coordinator at ${address}: ${why}`);
  }

  /** The one outlet of every message this node signs: the current connection. */
  private async send(body: Body): Promise<void> {
    const c = this.connection;
    if (!c) throw new Error('not connected');
    return c.send(body);
  }

  /** What a task handler may use, bound to the connection its task came on. */
  private contextFor(connection: Connection<ActiveTask>): TaskContext {
    // A message for a closed connection is never sent on the next one.
    const send: Send = (body) => (connection.closed ? Promise.reject(new Error('not connected')) : this.send(body));
    return {
      id: this.id,
      name: this.opts.config.name,
      data: this.data,
      ...(this.dataReady ? { dataReady: this.dataReady } : {}),
      consent: this.consent,
      connection,
      memory: this.memory,
      identitySecretKey: this.opts.identity.secretKey,
      trustedAnalysts: this.opts.config.trustedAnalysts ?? [],
      ...(this.opts.config.overlap ? { overlapPolicy: this.opts.config.overlap } : {}),
      ...(this.opts.config.rosterAuthority ? { rosterAuthority: this.opts.config.rosterAuthority } : {}),
      ledger: this.ledger,
      send,
      refuse: (ref, reason, task, stage) => this.refuseOn(send, ref, reason, task, stage),
      emit: (event, ref) => {
        if (event === 'task') this.logger.info(refFields(ref), `participant ${this.id} started ${describe(ref)}`);
        else if (event === 'done') this.logger.info(refFields(ref), `participant ${this.id} finished ${describe(ref)}`);
        if (event === 'done') this.metrics.done(ref);
        this.emit(event, ref);
      },
      dropsOut: (ref) => this.dropsOut(ref),
      logger: this.logger,
    };
  }

  private async onMessage(connection: Connection<ActiveTask>, m: tessera.v1.CoordinatorMessage): Promise<void> {
    this.logger.debug({ message: m.body }, `participant ${this.id} received ${m.body ?? 'an empty message'}`);
    const ctx = this.contextFor(connection);
    switch (m.body) {
      case 'challenge':
        connection.session = m.challenge!.nonce ?? new Uint8Array(0);
        return ctx.send({
          hello: {
            software: SOFTWARE,
            datasets: this.data.names(),
            budgets: this.guard.report(),
            ...(this.rosterSignature.length ? { rosterSignature: this.rosterSignature } : {}),
          },
        });
      case 'welcome':
        this.backoff = this.opts.minBackoffMs ?? 250;
        this.unreachable = '';
        this.welcomed.add(connection);
        this.metrics.connected(this.everConnected);
        this.logger.info(
          {},
          `participant ${this.id} ${this.everConnected ? 'reconnected' : 'connected'} to ` +
            `${this.opts.config.coordinator}, serving ${this.data.names().join(', ') || 'no data set'}`,
        );
        this.everConnected = true;
        this.emit('ready');
        return;
      case 'receipt':
        return this.onReceipt(m.receipt!);
      case 'rejection':
        this.logger.warn(
          { seq: m.rejection!.seq },
          `participant ${this.id}: coordinator rejected message ${m.rejection!.seq}: ${m.rejection!.reason}`,
        );
        this.emit('rejected', m.rejection!.reason);
        return;
      default:
        return this.dispatcher.dispatch(ctx, m);
    }
  }

  /** The dropout hook (tests and demos): drops the connection on this step if `dropAt` says so. */
  private dropsOut(ref: tessera.v1.ITaskRef | null | undefined): boolean {
    if (!ref || !this.opts.dropAt?.(ref)) return false;
    this.logger.warn(refFields(ref), `participant ${this.id} drops out at ${describe(ref)} (simulated)`);
    this.dropConnection();
    return true;
  }

  /** A payout ledger entry for this node: kept if it verifies under the trusted coordinator key. */
  private onReceipt(r: tessera.v1.IPayoutReceipt): void {
    try {
      const { entry, keyHex, head } = acceptReceipt(
        r,
        this.id,
        this.opts.config.coordinatorKey ?? this.ledger.firstReceiptKey(),
      );
      // A sale's payout or refund for a sale this node did not consent to: not kept, audited as refused.
      const refused = saleReceiptRefusal(entry, entry.sale ? this.ledger.saleAnswers(entry.sale) : []);
      if (refused) {
        this.ledger.appendAudit(
          blankAuditFields('refusal', Date.now(), {
            jobId: entry.sale ?? '',
            stage: 'receipt',
            purpose: entry.kind ?? 'payout',
            reason: refused,
          }),
        );
        this.logger.warn({ jobId: entry.sale, ledgerSeq: entry.seq }, `participant ${this.id}: ${refused}`);
        this.emit('receiptRefused', entry, refused);
        return;
      }
      // The head is countersigned with this node's identity key and sent back: the coordinator exports it.
      const cosignature = head && cosignHead(head, keyHex, this.id, this.opts.identity);
      this.ledger.storeReceipt(r.entryJson!, keyHex, {
        ...(head ? { headJson: JSON.stringify(head) } : {}),
        ...(cosignature ? { cosignatureJson: cosignatureLine(cosignature) } : {}),
      });
      if (cosignature)
        this.send({
          ledgerCosignature: {
            seq: cosignature.seq,
            hash: cosignature.hash,
            coordinatorKey: cosignature.coordinatorKey,
            signature: cosignature.signature,
          },
        }).catch((e: Error) =>
          this.logger.warn({}, `participant ${this.id}: could not send a ledger cosignature: ${e.message}`),
        );
      // A sale's payout or refund is also written to the audit log (a job's own payout: the receipts table only).
      const audited = receiptAuditFields(entry, Date.now());
      try {
        if (audited) this.ledger.appendAudit(audited);
      } catch (e) {
        this.logger.error(
          {},
          `participant ${this.id}: could not audit receipt seq ${entry.seq}: ${(e as Error).message}`,
        );
      }
      this.logger.info(
        { jobId: entry.sale || entry.job, ledgerSeq: entry.seq },
        `participant ${this.id} received ${entry.kind ?? 'payout'} receipt: ${entry.amount} ${entry.currency} for ` +
          `${entry.sale ? `sale ${entry.sale} of product ${entry.product} (jobs ${entry.job})` : `job ${entry.job}`} ` +
          `(ledger seq ${entry.seq})`,
      );
      this.emit('receipt', entry);
    } catch (e) {
      this.logger.warn({}, `participant ${this.id}: ignored a payout receipt: ${(e as Error).message}`);
    }
  }
}

/** A task reference's log fields: jobId, round, stage (by name). */
function refFields(ref: tessera.v1.ITaskRef | null | undefined): object {
  if (!ref) return {};
  return { jobId: ref.jobId, round: ref.round, stage: stageName(Number(ref.stage)) };
}
