import type * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import type { SigningKeyPair } from '@tessera/crypto';
import { CHUNK_VALUES, fromConfigEntries, participantClient, sealParticipantMessage, tessera, type GenericClient } from '@tessera/proto';
import type { ParticipantConfig } from './config.js';
import { evaluate, fit, schemaReport, statistics, type LocalResult } from './local-compute.js';
import { precheckQuery, runQueryLocally } from './query-compute.js';
import { scoreSegments } from './score-compute.js';
import { LocalData } from './local-data.js';
import { SecureContribution } from './secure-contribution.js';
import { encodeForSecureSum, type LastFit } from './secure-encoding.js';
import { PrivacyGuard } from './privacy/privacy-guard.js';
import { PsiSession } from './psi-session.js';
import { BfvEncryptor, loadSeal, type BfvParameters } from '@tessera/he';
import { privacyPlanOf } from './privacy/privacy-plan.js';
import { privateSchemaReport } from './privacy/private-schema.js';
import type { CheckedTask } from './privacy/release-check.js';
import { PrivacyLedger } from './privacy/privacy-ledger.js';
import { ValuationDisclosure } from './valuation-disclosure.js';
import { acceptReceipt } from './payout-receipt.js';
import { stageName } from './privacy/privacy-guard.js';
import { analystOf, ConsentGuard, purposeOfStage, restrictSources, type ConsentDecision } from './consent/consent-guard.js';
import { loadConsentPolicy, type ConsentPolicy } from './consent/policy.js';

const pb = tessera.v1;

type Computed = { schema: tessera.v1.ISchemaReport } | { scores: ReturnType<typeof scoreSegments> } | LocalResult;
const SOFTWARE = 'tessera-participant/0.1.0';

type Stream = grpc.ClientDuplexStream<tessera.v1.SignedMessage, tessera.v1.CoordinatorMessage>;

interface ActiveTask {
  task: tessera.v1.ITask;
  /** What the privacy check admitted it as (the node's own plan from the job's spec). */
  checked?: CheckedTask;
  model?: Float64Array;
  received: number;
  cancelled: boolean;
}

export interface ParticipantNodeOptions {
  config: ParticipantConfig;
  identity: SigningKeyPair;
  /**
   * Serve this LocalData instead of opening `config.datasets` (default). Lets many nodes in one
   * process share parsed tables, e.g. a benchmark running a hundred nodes; a LocalData holds
   * no per-node state besides its caches.
   */
  data?: LocalData;
  log?: (line: string) => void;
  /** Reconnect delays grow from this to `maxBackoffMs` (default 250 ms to 5 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Test and demo hook: return true to drop the connection on receiving this step (simulates a dropout). */
  dropAt?: (ref: tessera.v1.ITaskRef) => boolean;
  /** Use this consent policy instead of loading `config.policy`. */
  policy?: ConsentPolicy;
  /** The clock grant expiry is checked against, at every task (default Date.now; tests inject one). */
  clock?: () => number;
}

/** A task admitted to read data (consent, then privacy budget): what `recordDataUse` logs once it has run. */
export interface DataAdmission {
  task: tessera.v1.ITask;
  stage: number;
  consent: ConsentDecision;
  /** The task as the privacy check admitted it (its spec and this node's own plan). */
  checked: CheckedTask;
  /** Epsilon this release spent (at the data set budget's delta, or 1e-5); 0 if none. */
  epsilon: number;
}

/**
 * A participant node: dials out to the coordinator, answers its challenge with a signed hello,
 * runs each pushed task on local data and answers with signed messages. Reconnects with
 * backoff until stopped. Emits 'ready', 'task' (ref), 'done' (ref), 'rejected' (reason),
 * 'disconnected'.
 */
export class ParticipantNode extends EventEmitter {
  readonly data: LocalData;
  private client: GenericClient | undefined;
  private stream: Stream | undefined;
  private session: Uint8Array = new Uint8Array(0);
  private seq = 0;
  private active: ActiveTask | undefined;
  private secure: SecureContribution | undefined;
  /** A vector announced with UploadReady, sent when the coordinator grants it. */
  private pendingUpload: { ref: tessera.v1.ITaskRef; send: () => Promise<void> } | undefined;
  private readonly lastFit = new Map<string, LastFit>();
  private readonly jobSetups = new Map<string, { features: tessera.v1.IColumnProfile[]; mean: number[]; std: number[] }>();
  private stopped = true;
  private backoff: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly log: (line: string) => void;
  /** What this node's data was used for and the privacy it spent, durably. */
  readonly ledger: PrivacyLedger;
  private readonly guard: PrivacyGuard;
  /** The owner's consent policy, enforced before every read (allows everything without `config.policy`). */
  readonly consent: ConsentGuard;

  constructor(private readonly opts: ParticipantNodeOptions) {
    super();
    const clock = opts.clock ?? Date.now;
    const policy = opts.policy ?? (opts.config.policy
      ? loadConsentPolicy(opts.config.policy, { datasets: Object.keys(opts.config.datasets), now: clock() })
      : undefined);
    if (opts.data && policy && Object.values(policy.datasets).some((d) => d.columns)) {
      throw new Error(`${policy.file}: datasets: a policy that restricts columns needs the node to open its own data (do not pass a shared LocalData)`);
    }
    this.data = opts.data ?? new LocalData(restrictSources(opts.config.datasets, policy));
    this.ledger = new PrivacyLedger(opts.config.ledger ?? ':memory:');
    this.guard = new PrivacyGuard(this.ledger, Object.fromEntries(Object.entries(opts.config.datasets).map(([name, src]) => [name, src.budget])));
    this.consent = new ConsentGuard(policy, this.ledger, this.guard, clock);
    this.log = opts.log ?? (() => undefined);
    this.backoff = opts.minBackoffMs ?? 250;
  }

  get id(): string {
    return this.opts.config.participantId;
  }

  /** Validates local data, then connects (and keeps reconnecting). */
  start(): void {
    this.data.validate();
    const budgeted = Object.entries(this.opts.config.datasets).filter(([, s]) => s.budget).map(([n]) => n);
    for (const w of this.consent.startWarnings(this.data.names(), budgeted)) this.log(`participant ${this.id}: warning: ${w}`);
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.dropConnection();
    this.client?.close();
    this.client = undefined;
    for (const e of this.encryptors.values()) e.encryptor.dispose();
    this.encryptors.clear();
  }

  /** Cuts the current connection now (as a crash or network failure would); reconnects later unless stopped. */
  dropConnection(): void {
    if (this.active) this.active.cancelled = true;
    this.active = undefined;
    this.pendingUpload = undefined;
    this.jobSetups.clear();
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
  }

  private connect(): void {
    if (this.stopped) return;
    this.client ??= participantClient(this.opts.config.coordinator);
    const stream = this.client.connect() as Stream;
    this.stream = stream;
    this.seq = 0;
    stream.on('data', (m: tessera.v1.CoordinatorMessage) => {
      if (this.stream !== stream) return;
      this.onMessage(m).catch((e) => this.log(`participant ${this.id}: ${(e as Error).message}`));
    });
    let over = false;
    const ended = () => {
      if (over) return;
      over = true;
      if (this.stream === stream) {
        this.stream = undefined;
        this.pendingUpload = undefined;
        this.jobSetups.clear();
        if (this.active) this.active.cancelled = true;
        this.active = undefined;
      }
      this.emit('disconnected');
      this.scheduleReconnect();
    };
    // grpc-js ends a call with 'status' (and 'error' for a non-OK status); 'close' is not guaranteed.
    stream.on('error', ended);
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
      if (!this.stream) this.connect();
    }, delay);
  }

  private async send(body: Omit<tessera.v1.IParticipantMessage, 'session' | 'seq'>): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new Error('not connected');
    this.seq += 1;
    const signed = sealParticipantMessage(this.id, { ...body, session: this.session, seq: this.seq }, this.opts.identity.secretKey);
    if (!stream.write(signed)) await new Promise<void>((resolve) => { stream.once('drain', resolve); stream.once('close', resolve); });
  }

  private async onMessage(m: tessera.v1.CoordinatorMessage): Promise<void> {
    switch (m.body) {
      case 'challenge':
        this.session = m.challenge!.nonce ?? new Uint8Array(0);
        return this.send({ hello: { software: SOFTWARE, datasets: this.data.names(), budgets: this.guard.report() } });
      case 'welcome':
        this.backoff = this.opts.minBackoffMs ?? 250;
        this.log(`participant ${this.id} connected to ${this.opts.config.coordinator}`);
        this.emit('ready');
        return;
      case 'task':
        if (this.shouldDrop(m.task!.ref)) return;
        return this.onTask(m.task!);
      case 'neighbourKeys':
        return this.onSecureStep(m.neighbourKeys!.task, (c) => this.send({ shareKeys: { ...c.shareKeys(m.neighbourKeys!), task: m.neighbourKeys!.task } }));
      case 'shares':
        return this.onSecureStep(m.shares!.task, (c) => (c.sealed ? this.sendSealed(m.shares!.task!, c.sealed, c.mask(m.shares!)) : this.sendMasked(m.shares!.task!, c.mask(m.shares!))));
      case 'grant': {
        const pending = this.pendingUpload;
        if (!pending || !sameRef(pending.ref, m.grant!.task)) return;
        this.pendingUpload = undefined;
        return pending.send();
      }
      case 'psi':
        return this.onPsiPoints(m.psi!);
      case 'unmaskRequest':
        return this.onSecureStep(m.unmaskRequest!.task, (c) => this.send({ unmask: { ...c.unmask(m.unmaskRequest!), task: m.unmaskRequest!.task } }));
      case 'model':
        return this.onModelChunk(m.model!);
      case 'cancel':
        if (this.active && sameRef(this.active.task.ref, m.cancel!.task)) {
          this.active.cancelled = true;
          this.active = undefined;
        }
        return;
      case 'receipt':
        return this.onReceipt(m.receipt!);
      case 'rejection':
        this.log(`participant ${this.id}: coordinator rejected message ${m.rejection!.seq}: ${m.rejection!.reason}`);
        this.emit('rejected', m.rejection!.reason);
        return;
      default:
        return;
    }
  }

  private shouldDrop(ref: tessera.v1.ITaskRef | null | undefined): boolean {
    if (!ref || !this.opts.dropAt?.(ref)) return false;
    this.log(`participant ${this.id} drops out at ${describe(ref)} (simulated)`);
    this.dropConnection();
    return true;
  }

  /** A secure-aggregation step for the contribution in progress; a failure refuses it with the reason. */
  private async onSecureStep(ref: tessera.v1.ITaskRef | null | undefined, step: (c: SecureContribution) => Promise<void>): Promise<void> {
    if (this.shouldDrop(ref)) return;
    const c = this.secure;
    if (!c || !ref || ref.jobId !== c.ref.jobId || ref.round !== c.ref.round || (ref.computation ?? 0) !== (c.ref.computation ?? 0) || (ref.attempt ?? 0) !== (c.ref.attempt ?? 0)) {
      this.log(`participant ${this.id}: ignored a secure-aggregation step for ${describe(ref)} with no matching contribution`);
      return;
    }
    try {
      await step(c);
    } catch (e) {
      this.secure = undefined;
      await this.sendRefused(ref, (e as Error).message);
      return;
    }
    if (ref.stage === pb.Stage.UNMASK) {
      this.secure = undefined;
      this.emit('done', ref);
    }
  }

  /** Announces a vector; it is sent in chunks (then `done`) when the coordinator grants the upload. */
  private async offerUpload(ref: tessera.v1.ITaskRef, total: number, send: () => Promise<void>): Promise<void> {
    this.pendingUpload = { ref, send };
    await this.send({ ready: { task: ref, total } });
  }

  private async sendMasked(ref: tessera.v1.ITaskRef, y: Uint32Array): Promise<void> {
    await this.offerUpload(ref, y.length, async () => {
      for (let offset = 0; offset < y.length; offset += CHUNK_VALUES) {
        const words = y.subarray(offset, Math.min(y.length, offset + CHUNK_VALUES));
        await this.send({ masked: { task: ref, chunk: { offset, total: y.length, words: words as unknown as number[] } } });
      }
      await this.send({ done: { task: ref, numExamples: 0 } });
    });
  }

  /**
   * Sealed mode: the masked vector goes out encrypted under the analyst's BFV key, one
   * ciphertext per chunk of slots; the coordinator can only add it to the others.
   */
  private async sendSealed(ref: tessera.v1.ITaskRef, sealed: { params: BfvParameters; analystKey: Uint8Array }, y: Uint32Array): Promise<void> {
    let chunks: Uint8Array[];
    try {
      chunks = this.encryptorFor(ref.jobId ?? '', sealed).encrypt(y);
    } finally {
      y.fill(0);
    }
    await this.offerUpload(ref, chunks.length, async () => {
      for (let index = 0; index < chunks.length; index++) {
        await this.send({ sealed: { task: ref, index, total: chunks.length, ciphertext: chunks[index] } });
      }
      await this.send({ done: { task: ref, numExamples: 0 } });
    });
  }

  /** One encryptor per job and analyst key, kept across rounds (setting one up costs about 0.1 s). */
  private encryptorFor(jobId: string, sealed: { params: BfvParameters; analystKey: Uint8Array }): BfvEncryptor {
    const kept = this.encryptors.get(jobId);
    if (kept && Buffer.from(kept.key).equals(Buffer.from(sealed.analystKey))) return kept.encryptor;
    kept?.encryptor.dispose();
    for (const [id, e] of this.encryptors) if (id !== jobId) { e.encryptor.dispose(); this.encryptors.delete(id); }
    const encryptor = new BfvEncryptor(sealed.params, sealed.analystKey);
    this.encryptors.set(jobId, { key: sealed.analystKey, encryptor });
    return encryptor;
  }

  private readonly encryptors = new Map<string, { key: Uint8Array; encryptor: BfvEncryptor }>();

  /**
   * The coordinator sends a job's agreed features and standardisation once per stream; later
   * fit and evaluate tasks of that job omit them and use what this node kept.
   */
  private withJobSetup(task: tessera.v1.ITask): tessera.v1.ITask {
    const jobId = task.ref?.jobId ?? '';
    const stage = task.secure ? task.secure.computation : task.ref?.stage;
    if (stage !== pb.Stage.FIT && stage !== pb.Stage.EVALUATE) return task;
    if ((task.features ?? []).length > 0) {
      this.jobSetups.set(jobId, { features: task.features!, mean: task.mean ?? [], std: task.std ?? [] });
      return task;
    }
    const kept = this.jobSetups.get(jobId);
    return kept ? { ...task, ...kept } : task;
  }

  /** An audience-overlap run in progress (its peer's sets arrive relayed by the coordinator). */
  private psi: PsiSession | undefined;

  private async startOverlap(task: tessera.v1.ITask): Promise<void> {
    const ref = task.ref ?? {};
    try {
      const admission = this.admitData(task, pb.Stage.OVERLAP);
      const { session, message, identifiers } = await PsiSession.start(task, this.data);
      this.recordDataUse(admission, identifiers);
      this.psi = session;
      await this.send({ psi: message });
    } catch (e) {
      this.psi = undefined;
      await this.sendRefused(ref, (e as Error).message, task, pb.Stage.OVERLAP);
    }
  }

  private async onPsiPoints(m: tessera.v1.IPsiPoints): Promise<void> {
    const session = this.psi;
    if (!session || !sameRef(session.ref, m.task)) return this.log(`participant ${this.id}: ignored set-intersection points for ${describe(m.task)} with no matching run`);
    try {
      const out = session.onPoints(m);
      if ('reply' in out) return await this.send({ psi: out.reply });
      this.psi = undefined;
      await this.send({ done: { task: session.ref, numExamples: 0, metrics: [{ name: 'overlap', value: out.overlap }] } });
      this.emit('done', session.ref);
    } catch (e) {
      this.psi = undefined;
      await this.sendRefused(session.ref, (e as Error).message);
    }
  }

  /** Training updates of jobs with a payout, kept for a later valuation request. */
  private readonly disclosure = new ValuationDisclosure();

  /**
   * VALUATE: if the owner's consent policy grants the job's analyst the `valuation` purpose,
   * discloses this node's kept per-round updates to the coordinator (and logs the use); otherwise
   * refuses with the reason.
   */
  private async discloseForValuation(task: tessera.v1.ITask): Promise<void> {
    const ref = task.ref ?? {};
    try {
      const admission = this.admitData(task, pb.Stage.VALUATE);
      const updates = this.disclosure.messages(ref);
      for (const u of updates) await this.send({ valuation: u });
      const rows = Math.max(...updates.map((u) => Number(u.numExamples)));
      this.recordDataUse(admission, rows);
      await this.send({ done: { task: ref, numExamples: rows } });
      this.disclosure.forget(ref.jobId ?? '');
      this.emit('done', ref);
    } catch (e) {
      await this.sendRefused(ref, (e as Error).message, task, pb.Stage.VALUATE);
    }
  }

  /** A payout ledger entry for this node: kept if it verifies under the trusted coordinator key. */
  private onReceipt(r: tessera.v1.IPayoutReceipt): void {
    try {
      const { entry, keyHex } = acceptReceipt(r, this.id, this.opts.config.coordinatorKey ?? this.ledger.firstReceiptKey());
      this.ledger.storeReceipt(r.entryJson!, keyHex);
      this.log(`participant ${this.id} received payout receipt: ${entry.amount} ${entry.currency} for job ${entry.job} (ledger seq ${entry.seq})`);
      this.emit('receipt', entry);
    } catch (e) {
      this.log(`participant ${this.id}: ignored a payout receipt: ${(e as Error).message}`);
    }
  }

  private async onTask(received: tessera.v1.ITask): Promise<void> {
    if (received.ref?.stage === pb.Stage.OVERLAP) return this.startOverlap(received);
    if (received.ref?.stage === pb.Stage.VALUATE) return this.discloseForValuation(received);
    const task = this.withJobSetup(received);
    if (Number(task.secure?.sealedDegree ?? 0) > 0 || task.scoring) await loadSeal();
    if (this.active) this.active.cancelled = true;
    const length = Number(task.modelLength ?? 0);
    const active: ActiveTask = { task, received: 0, cancelled: false, ...(length > 0 ? { model: new Float64Array(length) } : {}) };
    this.active = active;
    this.emit('task', task.ref);
    if (!active.model) await this.run(active);
  }

  private async onModelChunk(m: tessera.v1.IModelChunk): Promise<void> {
    const active = this.active;
    if (!active?.model || !sameRef(active.task.ref, m.task)) return;
    const offset = Number(m.chunk?.offset ?? 0);
    const values = m.chunk?.values ?? [];
    if (offset !== active.received || offset + values.length > active.model.length) {
      return this.refuse(active, `model chunk at offset ${offset} does not continue the ${active.received} values received`);
    }
    active.model.set(values, offset);
    active.received += values.length;
    if (active.received === active.model.length) await this.run(active);
  }

  private async refuse(active: ActiveTask, reason: string): Promise<void> {
    if (this.active === active) this.active = undefined;
    const stage = Number(active.task.secure ? active.task.secure.computation : active.task.ref?.stage);
    await this.sendRefused(active.task.ref, reason, active.task, stage);
  }

  /**
   * Refuses a task step: logs it, appends the refusal (with its reason) to the audit log, and
   * sends TaskRefused (the coordinator shows the reason in the job's refusals).
   */
  async sendRefused(ref: tessera.v1.ITaskRef | null | undefined, reason: string, task?: tessera.v1.ITask, stage?: number): Promise<void> {
    this.log(`participant ${this.id} refused ${describe(ref)}: ${reason}`);
    try {
      const st = stage ?? Number(ref?.stage ?? 0);
      this.ledger.appendAudit({
        kind: 'refusal', at: Date.now(), jobId: ref?.jobId ?? '', round: Number(ref?.round ?? 0), stage: stageName(st), purpose: (purposeOfStage(st) ?? purposeOfStage(Number(ref?.computation ?? 0)))?.purpose ?? '',
        dataset: task?.dataset ?? '', columns: [], rows: 0, epsilon: 0, analyst: task ? analystOf(task) : '', grantId: '', reason,
      });
    } catch (e) {
      this.log(`participant ${this.id}: could not append the refusal to the audit log: ${(e as Error).message}`);
    }
    await this.send({ refused: { task: ref, reason } });
  }

  /**
   * Admits a task about to read data, before anything is read: the consent policy first
   * (ConsentRefusal: no grant, revoked, expired, label or epsilon cap), then the privacy budget
   * (BudgetRefusal), charging the release under the grant. Call `recordDataUse` once it has run;
   * on a throw, refuse the task with the message (`sendRefused` also logs it). Used by every stage,
   * and for VALUATE by its handler.
   */
  admitData(task: tessera.v1.ITask, stage: number, beforeCharge?: () => void): DataAdmission {
    return this.ledger.atomically(() => {
      const consent = this.consent.admit(task, stage);
      beforeCharge?.();
      const { epsilon, checked } = this.guard.admit(task, stage, consent.grantId);
      return { task, stage, consent, epsilon, checked };
    });
  }

  /** Records an admitted use of data: the data_use row and a hash-chained audit log entry. */
  recordDataUse(a: DataAdmission, rows: number): void {
    const { task, stage, consent } = a;
    const ref = task.ref ?? {};
    this.guard.recordUse(task, stage, rows);
    let columns: string[] = [];
    try {
      columns = this.data.servedColumns(task.dataset ?? '');
    } catch {
      columns = [];
    }
    this.ledger.appendAudit({
      kind: 'use', at: Date.now(), jobId: ref.jobId ?? '', round: Number(ref.round ?? 0), stage: stageName(stage), purpose: consent.purpose,
      dataset: task.dataset ?? '', columns, rows, epsilon: a.epsilon, analyst: consent.analyst, grantId: consent.grantId ?? '', reason: '',
    });
  }

  /** Admits the task under this node's consent policy and privacy budgets (or refuses it before any data is read), runs it, and records the use. */
  private compute(active: ActiveTask): Computed {
    const stage = Number(active.task.secure ? active.task.secure.computation : active.task.ref?.stage);
    // A query the owner's query rules refuse is refused after consent and before the charge, so it is never charged.
    const precheck = stage === pb.Stage.QUERY ? () => void precheckQuery(this.data, active.task, this.consent.queryRules(active.task.dataset ?? '')) : undefined;
    const admission = this.admitData(active.task, stage, precheck);
    active.checked = admission.checked;
    const result = this.computeAdmitted(active, stage);
    this.recordDataUse(admission, 'schema' in result ? Number(result.schema.rows ?? 0) : 'scores' in result ? result.scores.rows : result.numExamples);
    return result;
  }

  private computeAdmitted(active: ActiveTask, stage: number): Computed {
    const { task, model } = active;
    switch (stage) {
      case pb.Stage.SCORE: return { scores: scoreSegments(this.data, task) };
      case pb.Stage.QUERY: return runQueryLocally(this.data, task, this.consent.queryRules(task.dataset ?? ''));
      case pb.Stage.SCHEMA: {
        const local = schemaReport(this.data, task);
        // A differentially private job learns no row count and no text value that occurs here: only declared domains.
        const spec = active.checked?.spec;
        const s = active.checked?.own || privacyPlanOf(task) ? privateSchemaReport(local, spec?.kind === 'train' ? spec.spec.domains : undefined).schema : local;
        return { schema: {
          task: task.ref, rows: s.rows,
          columns: s.columns.map((c) => ({
            name: c.name,
            kind: c.kind === 'categorical' ? pb.ColumnProfile.Kind.CATEGORICAL : pb.ColumnProfile.Kind.NUMERIC,
            categories: c.categories ?? [],
          })),
        } };
      }
      case pb.Stage.STATISTICS: return statistics(this.data, task);
      case pb.Stage.FIT: {
        const r = fit(this.data, task, model!, this.id);
        this.lastFit.set(task.ref?.jobId ?? '', { examples: r.numExamples, trainLoss: r.metrics.train_loss });
        if (fromConfigEntries(task.config).keepForValuation && r.vector) this.disclosure.keep(task.ref?.jobId ?? '', Number(task.ref?.round ?? 0), r.vector, r.numExamples);
        return r;
      }
      case pb.Stage.EVALUATE: return evaluate(this.data, task, model!, this.id);
      default: throw new Error(`unknown stage ${task.ref?.stage}`);
    }
  }

  private async run(active: ActiveTask): Promise<void> {
    const ref = active.task.ref;
    let result: Computed;
    try {
      result = this.compute(active);
    } catch (e) {
      return this.refuse(active, (e as Error).message);
    }
    if (active.cancelled || this.active !== active) return;
    if ('scores' in result) {
      const { segments, rows } = result.scores;
      for (const [index, c] of segments.entries()) {
        await this.send({ segment: { task: ref, index, total: segments.length, score: c.score, count: c.count } });
      }
      await this.send({ done: { task: ref, numExamples: rows } });
      if (this.active === active) this.active = undefined;
      this.emit('done', ref);
      return;
    }
    if (active.task.secure && !('schema' in result)) {
      try {
        const floor = active.checked?.floor;
        const words = encodeForSecureSum(active.task.secure, result, this.lastFit.get(ref?.jobId ?? ''));
        this.secure = new SecureContribution(ref!, active.task.secure, words, this.opts.identity.secretKey, {
          key: active.task.analystKey, identity: active.task.analystIdentity, signature: active.task.analystSignature, trusted: this.opts.config.trustedAnalysts ?? [],
        }, floor?.minSurvivors ?? 0);
        await this.send({ advertise: { ...this.secure.advertise(), task: ref } });
      } catch (e) {
        this.secure = undefined;
        return this.refuse(active, (e as Error).message);
      }
      if (this.active === active) this.active = undefined;
      return;
    }
    if ('schema' in result) {
      await this.send({ schema: result.schema });
    } else {
      const { vector } = result;
      const done = async () => {
        if (active.cancelled) return;
        await this.send({
          done: { task: ref, numExamples: result.numExamples, metrics: Object.entries(result.metrics).map(([name, value]) => ({ name, value: Number(value) })) },
        });
      };
      if (vector) {
        await this.offerUpload(ref!, vector.length, async () => {
          for (let offset = 0; offset < vector.length; offset += CHUNK_VALUES) {
            if (active.cancelled) return;
            const values = vector.subarray(offset, Math.min(vector.length, offset + CHUNK_VALUES));
            await this.send({ update: { task: ref, chunk: { offset, total: vector.length, values: values as unknown as number[] } } });
          }
          await done();
        });
      } else {
        await done();
      }
    }
    if (this.active === active) this.active = undefined;
    this.emit('done', ref);
  }
}

const sameRef = (a: tessera.v1.ITaskRef | null | undefined, b: tessera.v1.ITaskRef | null | undefined) =>
  !!a && !!b && a.jobId === b.jobId && (a.round ?? 0) === (b.round ?? 0) && (a.stage ?? 0) === (b.stage ?? 0) &&
  (a.computation ?? 0) === (b.computation ?? 0) && (a.attempt ?? 0) === (b.attempt ?? 0);

const describe = (r: tessera.v1.ITaskRef | null | undefined) => `job ${r?.jobId} round ${r?.round ?? 0} stage ${r?.stage ?? 0}`;
