import { tessera } from '@tessera/proto';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { JobStatus, RoundRecord, Store } from '../store/store.js';
import {
  LEASE_CHANGES,
  PRIVACY_REFUSAL_KINDS,
  REJECT_REASONS,
  ROUND_FAILURE_REASONS,
  SERVICES,
  type LeaseChange,
  type PrivacyRefusalKind,
  type RejectReason,
  type ServiceName,
} from './metric-labels.js';
import { observedRounds } from './observed-rounds.js';
import { roundFailureReason } from './round-failure.js';

const pb = tessera.v1;

/** The refusal kinds on the owners' terms (rounds/refusals.ts), as tessera_privacy_refusals_total labels. */
const OWNERS_REFUSALS: ReadonlyMap<tessera.v1.RefusalKind, PrivacyRefusalKind> = new Map([
  [pb.RefusalKind.REFUSAL_PRIVACY, 'privacy'],
  [pb.RefusalKind.REFUSAL_CONSENT, 'consent'],
  [pb.RefusalKind.REFUSAL_QUERY_RULES, 'query_rules'],
  [pb.RefusalKind.REFUSAL_DATA, 'data'],
]);

/** Stage and round durations: from a tenth of a second to an hour. */
const STAGE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Waits for an upload slot: from a millisecond (none) to five minutes. */
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** What the collect-time gauges read: the store's job counts and how many participants are connected here. */
export interface CoordinatorMetricsSources {
  jobCounts: () => Promise<Record<JobStatus, number>>;
  connectedParticipants: () => number;
}

/**
 * One coordinator's Prometheus metrics, in a registry of its own (several coordinators may run in one process): the
 * process's default metrics and the tessera_* ones below. The gauges are computed when scraped; the counters and
 * histograms move at the instrumented places through the methods here. `registry.metrics()` is the exposition text
 * the console serves at /metrics.
 */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  readonly jobs: Gauge<'state'>;
  readonly rounds: Counter<'kind' | 'outcome'>;
  readonly roundFailures: Counter<'reason'>;
  readonly stageDuration: Histogram<'stage'>;
  readonly participantsConnected: Gauge;
  readonly messagesRejected: Counter<'reason'>;
  readonly bytesReceived: Counter<'service'>;
  readonly bytesSent: Counter<'service'>;
  readonly uploadSlotWait: Histogram;
  readonly leaseChanges: Counter<'change'>;
  readonly privacyRefusals: Counter<'kind'>;

  constructor(sources: CoordinatorMetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.jobs = new Gauge({
      name: 'tessera_jobs',
      help: 'Jobs in the store by state (pending, running, completed, failed, cancelled), read at each scrape',
      labelNames: ['state'],
      registers,
      async collect() {
        const counts = await sources.jobCounts().catch(() => undefined);
        if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    this.rounds = new Counter({
      name: 'tessera_rounds_total',
      help: 'Rounds (each attempt of each stage) this replica recorded, by job kind and outcome (completed, failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.roundFailures = new Counter({
      name: 'tessera_round_failures_total',
      help: 'Round failures (cancelled, timeout, disconnected, secure_aggregation, too_few_contributors, error)',
      labelNames: ['reason'],
      registers,
    });
    this.stageDuration = new Histogram({
      name: 'tessera_stage_duration_seconds',
      help: 'Seconds each recorded round stage took (schema, statistics, fit, query, score, ...), completed or failed',
      labelNames: ['stage'],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.participantsConnected = new Gauge({
      name: 'tessera_participants_connected',
      help: 'Participants connected to this replica and welcomed (their hello checked), read at each scrape',
      registers,
      collect() {
        this.set(sources.connectedParticipants());
      },
    });
    this.messagesRejected = new Counter({
      name: 'tessera_messages_rejected_total',
      help: "Participants' messages and streams the coordinator refused, by reason",
      labelNames: ['reason'],
      registers,
    });
    this.bytesReceived = new Counter({
      name: 'tessera_bytes_received_total',
      help: 'Bytes of gRPC messages received, by service (participant, analyst, replica)',
      labelNames: ['service'],
      registers,
    });
    this.bytesSent = new Counter({
      name: 'tessera_bytes_sent_total',
      help: 'Bytes of gRPC messages sent, by service (participant, analyst, replica)',
      labelNames: ['service'],
      registers,
    });
    this.uploadSlotWait = new Histogram({
      name: 'tessera_upload_slot_wait_seconds',
      help: 'Seconds an upload waited for one of the upload slots (uploadSlots) before it could be received',
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.leaseChanges = new Counter({
      name: 'tessera_lease_changes_total',
      help: 'Job lease changes on this replica (acquired, renewed, lost, expired, released)',
      labelNames: ['change'],
      registers,
    });
    this.privacyRefusals = new Counter({
      name: 'tessera_privacy_refusals_total',
      help: "Refusals on the owners' terms reported by participants, by kind, and budget prechecks that refused a job",
      labelNames: ['kind'],
      registers,
    });
    // Every fixed label value is there from the start at 0, so that a rate() sees its first increment.
    for (const reason of ROUND_FAILURE_REASONS) this.roundFailures.inc({ reason }, 0);
    for (const reason of REJECT_REASONS) this.messagesRejected.inc({ reason }, 0);
    for (const service of SERVICES) {
      this.bytesReceived.inc({ service }, 0);
      this.bytesSent.inc({ service }, 0);
    }
    for (const change of LEASE_CHANGES) this.leaseChanges.inc({ change }, 0);
    for (const kind of PRIVACY_REFUSAL_KINDS) this.privacyRefusals.inc({ kind }, 0);
  }

  /** A round record written for a job of `kind` (train, query, score, overlap, vertical, vertical-score). */
  round(kind: string, round: Pick<RoundRecord, 'stage' | 'status' | 'seconds' | 'error'>): void {
    const completed = round.status === 'completed';
    this.rounds.inc({ kind, outcome: completed ? 'completed' : 'failed' });
    if (!completed) this.roundFailures.inc({ reason: roundFailureReason(round) });
    if (Number.isFinite(round.seconds) && round.seconds >= 0)
      this.stageDuration.observe({ stage: round.stage }, round.seconds);
  }

  /** The store a runner of a job of `kind` writes through: its round records move the round metrics. */
  observeRounds(store: Store, kind: string): Store {
    return observedRounds(store, (round) => this.round(kind, round));
  }

  rejected(reason: RejectReason): void {
    this.messagesRejected.inc({ reason });
  }

  received(service: ServiceName, bytes: number): void {
    this.bytesReceived.inc({ service }, bytes);
  }

  sent(service: ServiceName, bytes: number): void {
    this.bytesSent.inc({ service }, bytes);
  }

  slotWait(seconds: number): void {
    this.uploadSlotWait.observe(seconds);
  }

  lease(change: LeaseChange, jobs = 1): void {
    if (jobs > 0) this.leaseChanges.inc({ change }, jobs);
  }

  privacyRefusal(kind: PrivacyRefusalKind, count = 1): void {
    if (count > 0) this.privacyRefusals.inc({ kind }, count);
  }

  /** A participant's refusal of a task: counted when on its owner's terms (a failure to run it is not a refusal). */
  participantRefusal(kind: tessera.v1.RefusalKind | null | undefined): void {
    const label = OWNERS_REFUSALS.get(kind ?? pb.RefusalKind.REFUSAL_UNSPECIFIED);
    if (label) this.privacyRefusal(label);
  }
}
