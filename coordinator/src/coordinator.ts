import * as grpc from '@grpc/grpc-js';
import { sha256Hex } from '@tessera/crypto';
import {
  AnalystServiceDefinition,
  newEnrolmentToken,
  ParticipantServiceDefinition,
  ReplicaServiceDefinition,
  type ChannelSecurity,
  type tessera,
} from '@tessera/proto';
import { fingerprintOf, loggerOf, serverCredentials, type Logger } from '@tessera/transport';
import { SealedExchange } from './service/sealed-exchange.js';
import { JobEvents } from './jobs/job-events.js';
import { loggedRounds, logJobRun } from './jobs/job-log.js';
import { jobKindOfStored } from './jobs/kinds/registry.js';
import type { JobLifecycle } from './jobs/job-lifecycle.js';
import { analystHandlers } from './service/analyst-service.js';
import { participantHandlers } from './service/participant-service.js';
import { SessionRegistry } from './service/registry.js';
import { ParticipantAccess } from './service/participant-access.js';
import {
  checkParticipantName,
  tokenTimes,
  type EnrollmentTokenOptions,
  type IssuedEnrollmentToken,
} from './enrolment/enrolment-rules.js';
import { UploadSlots } from './service/upload-slots.js';
import { openStore } from './store/open-store.js';
import { noteStoreLocation, storeLocationOf } from './store/store-location.js';
import { isPostgresUrl, redactPostgresUrl } from './store/postgres/postgres-url.js';
import { PayoutLedger } from './payouts/payout-ledger.js';
import type { JobLease, JobRecord, Store } from './store/store.js';
import { JobScheduler, type LeasedRun } from './replicas/job-scheduler.js';
import { ReplicaMesh } from './replicas/replica-mesh.js';
import { replicaHandlers } from './replicas/replica-service.js';
import { replicaIdOf } from './replicas/replica-id.js';
import { resourceLimits, type ResourceLimits } from './limits/resource-limits.js';
import { serverOptions } from './limits/server-options.js';
import { clientSecurityOf, coordinatorTransport } from './tls/coordinator-tls.js';
import type { OperatorTlsFiles } from './tls/operator-certificates.js';
import { readTrustAnchor } from './tls/tls-files.js';
import { ClientCertificates } from './identity/client-certificates.js';
import { CoordinatorMetrics } from './metrics/coordinator-metrics.js';
import { meteredService } from './metrics/metered-service.js';
import type { ServiceName } from './metrics/metric-labels.js';
import { RemoteSession } from './replicas/remote-session.js';
import { readinessOf, type Readiness } from './health/readiness.js';

export interface CoordinatorOptions {
  /** Directory for the database, the TLS keys and the ledger key (created if missing). */
  dataDir: string;
  /** host:port to listen on; port 0 lets the OS choose. Default 127.0.0.1:7070. */
  listen?: string;
  /** Uploads received at once (memory is about (uploadSlots + 1) * model size). */
  uploadSlots?: number;
  /** Resource limits in place of the defaults (DEFAULT_RESOURCE_LIMITS; docs/security.md, "Resource limits"). */
  limits?: Partial<ResourceLimits>;
  /**
   * Plaintext instead of TLS: refused unless `listen` is a loopback address, and logged as a warning. Default false
   * (TLS; the own CA and server certificate are created in <dataDir>/tls on first start).
   */
  insecure?: boolean;
  /** The operator's own certificate, key and CA (--tls-cert, --tls-key, --tls-ca) instead of the own CA's. */
  tls?: OperatorTlsFiles;
  /** Plain text lines (info and above), for callers without a Logger; `logger` wins when both are given. */
  log?: (line: string) => void;
  /** Where the coordinator logs, with fields (jobId, round, stage, participantId, ...); default: `log`, else none. */
  logger?: Logger;
  /** Sees every participant message the coordinator accepts as authentic (for audits and transcript tests). */
  onParticipantMessage?: (participantId: string, message: tessera.v1.ParticipantMessage) => void;
  /**
   * Where the state lives: a postgres:// URL (shared by any number of replicas), or a SQLite file. Default
   * <dataDir>/coordinator.sqlite (one process).
   */
  store?: string;
  /** host:port other replicas reach this one at (default: the address it listens on). */
  advertise?: string;
  /**
   * Seconds a job lease, and a replica's word that it is alive, lasts without renewal: how long after a replica dies
   * another takes over its jobs. Default 15.
   */
  leaseSeconds?: number;
  /** This replica's name in leases (default: kept in <dataDir>/replica-id with SQLite; new at each start otherwise). */
  replicaId?: string;
}

/** Job leases and replica liveness last this long without renewal, by default. */
export const DEFAULT_LEASE_SECONDS = 15;

export { DATABASE_FILE } from './store/store-location.js';

/** How long `stop()` waits for open calls to end before cutting them. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * Creates a one-time enrolment token for a participant; only its hash is stored. The token carries the TLS fingerprint
 * of the coordinator's trust anchor (from its last TLS start in this data directory), so the participant can pin it.
 */
export async function createEnrollmentToken(
  dataDir: string,
  name: string,
  options: EnrollmentTokenOptions = {},
): Promise<string> {
  return (await issueEnrollmentToken(dataDir, name, options)).token;
}

/**
 * createEnrollmentToken, with what the operator notes: the token's id (to revoke it) and expiry (default 24 h). The
 * name is the participant's, chosen here by the operator; a bad name or lifetime throws an EnrolmentError.
 */
export async function issueEnrollmentToken(
  dataDir: string,
  name: string,
  options: EnrollmentTokenOptions = {},
): Promise<IssuedEnrollmentToken> {
  const checkedName = checkParticipantName(name);
  const times = tokenTimes(options);
  const anchor = readTrustAnchor(dataDir);
  const store = await openStore(storeLocationOf(dataDir));
  try {
    const token = newEnrolmentToken(anchor ? fingerprintOf(anchor) : undefined);
    const record = await store.addEnrollmentToken(sha256Hex(token), checkedName, times);
    return { token, id: record.id, name: record.name, expiresAt: record.expiresAt };
  } finally {
    await store.close();
  }
}

/** A running coordinator: gRPC server, store, participant sessions and job runners. */
export class Coordinator {
  readonly store: Store;
  readonly registry = new SessionRegistry();
  readonly events = new JobEvents();
  readonly sealed = new SealedExchange();
  /** This coordinator's Prometheus metrics, in a registry of its own (`metrics.registry.metrics()` for /metrics). */
  readonly metrics: CoordinatorMetrics;
  private readonly runners = new Map<
    string,
    { runner: Pick<JobLifecycle, 'run' | 'cancel' | 'suspend'>; done: Promise<void> }
  >();
  /** This replica's name in job leases and in the replica directory. */
  readonly replicaId: string;
  /** Where the state is: the SQLite file, or the PostgreSQL URL without its password. */
  storeDescription = '';
  /** Which jobs this replica drives (job leases in the store). */
  private readonly scheduler: JobScheduler;
  /** The other replicas on the same database, linked to drive their participants; set once listening. */
  private mesh: ReplicaMesh | undefined;
  /** Links other replicas opened here, through which an analyst's cancel reaches the replica that runs the job. */
  private readonly cancelRoutes = new Set<(jobId: string, reason: string) => void>();
  private readonly server: grpc.Server;
  private readonly slots: UploadSlots;
  private readonly logger: Logger;
  /** Cuts off participants the operator revoked or disabled (see ParticipantAccess for when it looks). */
  private readonly access: ParticipantAccess;
  /** The signed, hash-chained payout ledger (key in the data directory, entries in the database). */
  readonly ledger: PayoutLedger;
  port = 0;
  address = '';
  /** SHA-256 of the TLS trust anchor clients pin (64 hex characters); undefined when insecure. */
  tlsFingerprint: string | undefined;
  /** How a client in this process reaches this coordinator: TLS pinned to its anchor, or plaintext. */
  clientSecurity: ChannelSecurity = { mode: 'insecure' };
  /** The own CA's client certificates (participants', analysts'); undefined when insecure. */
  certificates: ClientCertificates | undefined;
  /** The certificate chain and key the gRPC port serves (the web console serves the same); undefined when insecure. */
  serverTls: { certChainPem: string; keyPem: string; clientCaPem: string } | undefined;
  /** Whether the gRPC server listens (from start until stop). */
  private listening = false;

  private constructor(
    readonly options: CoordinatorOptions,
    store: Store,
    replicaId: string,
  ) {
    this.logger = loggerOf(options);
    this.store = store;
    this.replicaId = replicaId;
    this.metrics = new CoordinatorMetrics({
      jobCounts: () => this.store.countJobsByStatus(),
      connectedParticipants: () => this.registry.readySessions().filter((s) => !(s instanceof RemoteSession)).length,
    });
    this.scheduler = new JobScheduler({
      store,
      replicaId,
      leaseTtlMs: (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
      run: (job, lease) => this.runJob(job, lease),
      logger: this.logger,
      onLease: (change, jobs) => this.metrics.lease(change, jobs),
    });
    this.events.forward = (e) => this.mesh?.broadcast(e);
    this.access = new ParticipantAccess(this.store, this.registry, this.logger);
    this.registry.setGate(this.access);
    this.ledger = new PayoutLedger(this.store, options.dataDir);
    const limits = resourceLimits(options.limits);
    this.server = new grpc.Server(serverOptions(limits));
    this.slots = new UploadSlots(options.uploadSlots ?? 4, limits.uploadIdleSeconds * 1000, (s) =>
      this.metrics.slotWait(s),
    );
  }

  static async start(options: CoordinatorOptions): Promise<Coordinator> {
    const listen = options.listen ?? '127.0.0.1:7070';
    const logger = loggerOf(options);
    const transport = await coordinatorTransport({ ...options, listen, insecure: options.insecure ?? false, logger });
    const location = options.store ?? storeLocationOf(options.dataDir);
    const store = await openStore(location);
    noteStoreLocation(options.dataDir, location);
    const replicaId = options.replicaId ?? replicaIdOf(options.dataDir, isPostgresUrl(location));
    const c = new Coordinator(options, store, replicaId);
    c.storeDescription = isPostgresUrl(location) ? redactPostgresUrl(location) : location;
    if (isPostgresUrl(location))
      logger.info({ replicaId }, `coordinator state in ${redactPostgresUrl(location)} (replica ${replicaId})`);
    if (transport.mode === 'tls') {
      c.tlsFingerprint = transport.fingerprint;
      c.certificates = new ClientCertificates(transport.ca);
      c.serverTls = transport.server;
    }
    c.clientSecurity = clientSecurityOf(transport);
    const credentials =
      transport.mode === 'tls'
        ? serverCredentials(transport.server).credentials
        : grpc.ServerCredentials.createInsecure();
    await c.listen(listen, credentials);
    await c.access.start();
    c.mesh = new ReplicaMesh({
      store,
      replicaId,
      address: options.advertise ?? c.address,
      security: c.clientSecurity,
      registry: c.registry,
      ttlMs: (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000,
      onCancel: (jobId, reason) => c.runners.get(jobId)?.runner.cancel(reason),
      logger,
    });
    await c.mesh.start();
    // Jobs that were running when this replica (or another) stopped continue from their last completed round.
    await c.scheduler.start();
    return c;
  }

  private async listen(address: string, credentials: grpc.ServerCredentials): Promise<void> {
    this.server.addService(
      this.metered(ParticipantServiceDefinition, 'participant'),
      participantHandlers(
        this.store,
        this.registry,
        this.logger,
        this.options.onParticipantMessage,
        this.certificates,
        this.metrics,
      ),
    );
    this.server.addService(
      this.metered(AnalystServiceDefinition, 'analyst'),
      analystHandlers({
        store: this.store,
        registry: this.registry,
        events: this.events,
        certificates: this.certificates,
        logger: this.logger,
        sealed: this.sealed,
        ledger: this.ledger,
        metrics: this.metrics,
        startJob: () => this.scheduler.poke(),
        cancelJob: (id, reason) => this.cancelJob(id, reason),
      }),
    );
    this.server.addService(
      this.metered(ReplicaServiceDefinition, 'replica'),
      replicaHandlers({
        replicaId: this.replicaId,
        secret: () => this.store.replicaSecret(),
        registry: this.registry,
        slots: this.slots,
        onEvent: (e) => this.events.applyRemote(e),
        onCancelRoute: (send) => {
          this.cancelRoutes.add(send);
          return () => this.cancelRoutes.delete(send);
        },
        logger: this.logger,
      }),
    );
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, credentials, (err, port) =>
        err ? reject(new Error(`cannot listen on ${address}: ${err.message}`)) : resolve(port),
      ),
    );
    const host = address.slice(0, address.lastIndexOf(':'));
    this.address = `${host}:${this.port}`;
    this.listening = true;
    this.logger.info({ replicaId: this.replicaId }, `coordinator listening on ${this.address}`);
  }

  /** A service definition that counts the bytes of its messages in tessera_bytes_{received,sent}_total. */
  private metered<S extends grpc.ServiceDefinition>(definition: S, service: ServiceName): S {
    return meteredService(
      definition,
      (bytes) => this.metrics.received(service, bytes),
      (bytes) => this.metrics.sent(service, bytes),
    );
  }

  /**
   * Starts the runner of a job whose lease this replica took (job-scheduler.ts), as read; synchronous, so that no
   * other start of the same job can come in between the check and the registration.
   */
  private runJob(job: JobRecord, lease: JobLease): LeasedRun {
    const { id } = job;
    const running = this.runners.get(id);
    if (running)
      return {
        done: running.done,
        suspend: () => running.runner.suspend(),
        cancel: (why) => running.runner.cancel(why),
      };
    const kind = jobKindOfStored(job.specJson);
    const runner = kind.runner(job, {
      // Every round record the runner writes moves the round metrics.
      store: loggedRounds(this.metrics.observeRounds(this.store, kind.name), this.logger),
      registry: this.registry,
      slots: this.slots,
      events: this.events,
      sealed: this.sealed,
      ...(this.ledger ? { ledger: this.ledger } : {}),
      lease: { holder: lease.holder, epoch: lease.epoch },
    });
    const done = runner.run().finally(() => this.runners.delete(id));
    this.runners.set(id, { runner, done });
    logJobRun(this.logger, this.store, job, kind.name, done);
    return { done, suspend: () => runner.suspend(), cancel: (why) => runner.cancel(why) };
  }

  /**
   * Cancels a job's runner here (true), or asks the replicas linked here to cancel it (false: then it may run nowhere,
   * and the caller marks it cancelled in the store if it is not finished). The analyst's gRPC call and console use it.
   */
  cancelJob(id: string, reason: string): boolean {
    const r = this.runners.get(id);
    r?.runner.cancel(reason);
    // Another replica may run it: tell every replica linked here (the one that runs it cancels it).
    if (!r) for (const send of this.cancelRoutes) send(id, reason);
    return !!r;
  }

  /** Resolves when the job reaches a final state (or stops running here). */
  async waitForJob(id: string): Promise<void> {
    await this.runners.get(id)?.done;
  }

  /** Whether this coordinator can serve now: its store answers with the newest schema and gRPC listens. */
  readiness(): Promise<Readiness> {
    return readinessOf(this.store, { listening: this.listening, address: this.address });
  }

  async stop(): Promise<void> {
    this.listening = false;
    await this.access.stop();
    // Suspends this replica's jobs and gives up their leases: another replica resumes them at once.
    await this.scheduler.stop();
    await this.mesh?.stop();
    this.registry.closeAll();
    // Calls the coordinator does not end itself (a stream that never said hello, an analyst's
    // watch) would hold a graceful shutdown open forever: give them a moment, then cut them.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.server.forceShutdown();
    await this.store.close();
  }
}
