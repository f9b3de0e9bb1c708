import { tessera } from '@tessera/proto';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

const pb = tessera.v1;

/** How a task step ended here: answered, refused on the owner's terms, or not run (a failure). */
export const TASK_OUTCOMES = ['done', 'refused', 'failed'] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/** The refusal kinds a node sends (RefusalKind), as label values. */
const REFUSAL_LABELS: ReadonlyMap<tessera.v1.RefusalKind, string> = new Map([
  [pb.RefusalKind.REFUSAL_FAILURE, 'failure'],
  [pb.RefusalKind.REFUSAL_PRIVACY, 'privacy'],
  [pb.RefusalKind.REFUSAL_CONSENT, 'consent'],
  [pb.RefusalKind.REFUSAL_QUERY_RULES, 'query_rules'],
  [pb.RefusalKind.REFUSAL_DATA, 'data'],
]);

/**
 * The task's kind as a label: the stage it computes (a secure-aggregation step counts as the computation it protects),
 * lower case (schema, statistics, fit, evaluate, score, query, ...); never an id.
 */
export function taskKindOf(ref: tessera.v1.ITaskRef | null | undefined): string {
  const stage = Number(ref?.computation || ref?.stage || 0);
  const name = pb.Stage[stage] as string | undefined;
  return name && stage !== pb.Stage.STAGE_UNSPECIFIED ? name.toLowerCase() : 'unknown';
}

/** A data set's privacy budget as the node reports it in its hello (PrivacyGuard.report). */
export interface BudgetReport {
  dataset?: string | null;
  spentEpsilon?: number | null;
}

/**
 * One participant node's Prometheus metrics, in a registry of its own (several nodes may run in one process): the
 * process's default metrics and the tessera_participant_* ones. `registry.metrics()` is the exposition text; the
 * node's local console (or an operator's own server) serves it.
 */
export class ParticipantMetrics {
  readonly registry = new Registry();
  readonly tasks: Counter<'kind' | 'outcome'>;
  readonly refusals: Counter<'kind'>;
  readonly bytesSent: Counter;
  readonly bytesReceived: Counter;
  readonly connectedGauge: Gauge;
  readonly reconnects: Counter;
  readonly epsilonSpent: Gauge<'dataset'>;

  /** `budgets` is read at each scrape: the epsilon spent per data set with a privacy budget. */
  constructor(budgets: () => readonly BudgetReport[] = () => []) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.tasks = new Counter({
      name: 'tessera_participant_tasks_total',
      help: "Task steps by kind (the stage computed) and outcome: done, refused (on the owner's terms) or failed",
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.refusals = new Counter({
      name: 'tessera_participant_refusals_total',
      help: 'Refusals this node sent, by kind: privacy, consent, query_rules, data, or failure (could not run it)',
      labelNames: ['kind'],
      registers,
    });
    this.bytesSent = new Counter({
      name: 'tessera_participant_bytes_sent_total',
      help: 'Bytes of the signed messages this node sent to the coordinator',
      registers,
    });
    this.bytesReceived = new Counter({
      name: 'tessera_participant_bytes_received_total',
      help: 'Bytes of the messages this node received from the coordinator',
      registers,
    });
    this.connectedGauge = new Gauge({
      name: 'tessera_participant_connected',
      help: '1 while the coordinator has welcomed this node on a live stream, else 0',
      registers,
    });
    this.reconnects = new Counter({
      name: 'tessera_participant_reconnects_total',
      help: 'Times this node was welcomed again after it had been connected before',
      registers,
    });
    this.epsilonSpent = new Gauge({
      name: 'tessera_participant_epsilon_spent',
      help: 'Epsilon spent per data set with a privacy budget (from the privacy ledger), read at each scrape',
      labelNames: ['dataset'],
      registers,
      collect() {
        for (const b of budgets()) if (b.dataset) this.set({ dataset: b.dataset }, Number(b.spentEpsilon ?? 0));
      },
    });
    this.connectedGauge.set(0);
    this.reconnects.inc(0);
    for (const kind of REFUSAL_LABELS.values()) this.refusals.inc({ kind }, 0);
  }

  /** A task step this node finished and answered. */
  done(ref: tessera.v1.ITaskRef | null | undefined): void {
    this.tasks.inc({ kind: taskKindOf(ref), outcome: 'done' });
  }

  /** A refusal this node sent: on its owner's terms (refused), or because it could not run the step (failed). */
  refused(ref: tessera.v1.ITaskRef | null | undefined, kind: tessera.v1.RefusalKind): void {
    const label = REFUSAL_LABELS.get(kind) ?? 'failure';
    this.refusals.inc({ kind: label });
    this.tasks.inc({ kind: taskKindOf(ref), outcome: label === 'failure' ? 'failed' : 'refused' });
  }

  sent(bytes: number): void {
    this.bytesSent.inc(bytes);
  }

  /** A message from the coordinator, of this wire size. */
  received(bytes: number): void {
    this.bytesReceived.inc(bytes);
  }

  /** The coordinator welcomed the node (`again`: it had been connected before). */
  connected(again: boolean): void {
    this.connectedGauge.set(1);
    if (again) this.reconnects.inc();
  }

  disconnected(): void {
    this.connectedGauge.set(0);
  }
}
