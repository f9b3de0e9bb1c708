// Runs a vertical job: both parties connected, one VERTICAL task each, their sealed messages relayed, one result.
import {
  parseVerticalScoreSpec,
  parseVerticalSpec,
  type VerticalParty,
  type VerticalScoreSpec,
  type VerticalSpec,
} from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { runStage } from '../../../rounds/stage.js';
import { type VerticalAnswer, VerticalRelayCollector } from '../../../rounds/vertical-relay.js';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { JobRecord, Store } from '../../../store/store.js';
import { identityKeysOf } from '../../identity-keys.js';
import type { JobEvents } from '../../job-events.js';
import { OneRoundRunner } from '../../one-round-runner.js';

const pb = tessera.v1;

const PHASE_NAMES: Record<string, string> = {
  align: 'aligning customers (ECDH-PSI)',
  setup: 'setting up keys',
  train: 'training',
  evaluate: 'evaluating on held-out customers',
  score: 'scoring',
};

/** The guest's metrics that make the analyst's result (anything else it sends is dropped). */
const METRICS = ['overlap', 'auc', 'accuracy', 'logLoss', 'trainRows', 'testRows', 'scored', 'meanScore'] as const;

/**
 * The coordinator's side of a vertical job: it waits for the guest and the host to connect serving the data sets the
 * spec names, sends each its VERTICAL task (the signed spec, the peer's identity key and the run's salt), relays
 * their sealed messages until both answer, and keeps what the guest reports: the held-out metrics and the guest's
 * part of the model. It holds no key that opens a message; a host's part of the model never reaches it.
 */
export class VerticalRunner extends OneRoundRunner {
  private readonly spec: VerticalSpec | VerticalScoreSpec;
  private readonly stage: tessera.v1.Stage;

  constructor(
    job: JobRecord,
    store: Store,
    private readonly registry: SessionRegistry,
    events: JobEvents,
  ) {
    super(job, store, events);
    const input = JSON.parse(job.specJson) as { kind?: unknown };
    this.spec = input.kind === 'vertical-score' ? parseVerticalScoreSpec(input) : parseVerticalSpec(input);
    this.stage = this.spec.kind === 'vertical-score' ? pb.Stage.VERTICAL_SCORE : pb.Stage.VERTICAL;
  }

  protected async runRound(): Promise<{ message: string; context: object }> {
    const [guestParty, hostParty] = this.roles();
    const [guest, host] = await this.both(guestParty, hostParty);
    const key = { jobId: this.jobId, round: 1, stage: this.stage };
    const keys = await identityKeysOf(this.store, [guest.participantId, host.participantId]);
    const salt = Buffer.from(this.salt(), 'hex');
    const started = performance.now();
    this.events.publish(
      this.jobId,
      `running: ${guestParty.participant} (guest) and ${hostParty.participant} (host) align their customers and ` +
        (this.spec.kind === 'vertical-score'
          ? `score them with job ${this.spec.model}'s model`
          : `train ${this.spec.model.kind}`),
    );
    const oneFailed = new AbortController();
    const collectors = new Map<ParticipantSession, VerticalRelayCollector>();
    const lastLine = new Map<ParticipantSession, string>();
    const outcome = await runStage<VerticalAnswer>({
      key,
      sessions: [guest, host],
      deadlineMs: this.spec.timeoutSeconds * 1000,
      signal: AbortSignal.any([this.abort.signal, oneFailed.signal]),
      request: (x) => {
        const peer = x === guest ? host : guest;
        const party = x === guest ? guestParty : hostParty;
        return {
          message: {
            task: {
              ...this.analystField(),
              ref: key,
              dataset: party.dataset,
              deadlineUnixMs: Date.now() + this.spec.timeoutSeconds * 1000,
              vertical: {
                session: this.jobId,
                peerId: peer.participantId,
                peerIdentityKey: keys.get(peer.participantId) ?? new Uint8Array(0),
                peerRosterSignature: peer.rosterSignature,
                salt,
              },
            },
          },
        };
      },
      collector: (x, settle) => {
        const c = new VerticalRelayCollector(
          key,
          (o) => {
            settle(o);
            if (!o.ok) oneFailed.abort();
          },
          () => (x === guest ? host : guest),
          (phase, done, total) => {
            const role = x === guest ? 'guest' : 'host';
            const count = total ? ` ${done} of ${total}` : '';
            const line = `${role} ${x.participantId}: ${PHASE_NAMES[phase] ?? phase}${count}`;
            if (line !== lastLine.get(x)) this.events.publish(this.jobId, line);
            lastLine.set(x, line);
          },
        );
        collectors.set(x, c);
        return c;
      },
    });
    await this.noteRefusals('vertical', outcome);
    const seconds = (performance.now() - started) / 1000;
    const answer = outcome.results.get(guest.participantId);
    // The party stopped because the other one failed is told so, not "cancelled" (the job was not).
    const peerFailed = !this.abort.signal.aborted && oneFailed.signal.aborted;
    const failed = [...outcome.failures].map(([id, why]) => {
      const reason = peerFailed && why === 'the job was cancelled' ? 'stopped, as its peer could not go on' : why;
      return `${this.role(id)} ${id}: ${reason}`;
    });
    const error =
      outcome.results.size < 2 || !answer
        ? `the vertical run did not complete: ${failed.join('; ') || 'no answer'}`
        : '';
    const bytes = [...collectors.values()].reduce((a, c) => a + c.bytes, 0);
    const metrics = answer ? this.metricsOf(answer) : {};
    await this.store.addRound({
      jobId: this.jobId,
      round: 1,
      stage: this.spec.kind === 'vertical-score' ? 'vertical-score' : 'vertical',
      attempt: 1,
      status: error ? 'failed' : 'completed',
      contributors: outcome.results.size,
      dropped: [...outcome.failures.keys()],
      metrics: error ? {} : { ...metrics, relayedBytes: bytes },
      seconds,
      error,
      finishedAt: Date.now(),
    });
    if (error) throw new Error(error);
    if (this.spec.kind === 'vertical-score') {
      const summary = this.guestModelOf(answer!) as { histogram?: unknown };
      return {
        message: `completed: ${metrics.scored ?? 0} shared customers scored; the scores stay with the guest`,
        context: {
          result: {
            verticalScore: {
              model: this.spec.model,
              scored: metrics.scored ?? 0,
              meanScore: metrics.meanScore,
              histogram: Array.isArray(summary?.histogram) ? summary.histogram.map(Number) : [],
              guest: guestParty.participant,
              hosts: [hostParty.participant],
              relayedBytes: bytes,
              seconds,
            },
          },
        },
      };
    }
    const guestModel = this.guestModelOf(answer!);
    return {
      message: `completed: ${metrics.overlap ?? 0} shared customers, held-out AUC ${metrics.auc?.toFixed(4)}`,
      context: {
        result: {
          vertical: {
            model: this.spec.model.kind,
            job: this.jobId,
            overlap: metrics.overlap ?? 0,
            federated: {
              auc: metrics.auc,
              accuracy: metrics.accuracy,
              logLoss: metrics.logLoss,
              trainRows: metrics.trainRows,
              testRows: metrics.testRows,
            },
            guest: guestParty.participant,
            hosts: [hostParty.participant],
            relayedBytes: bytes,
            seconds,
          },
          guestModel,
        },
      },
    };
  }

  private roles(): [VerticalParty, VerticalParty] {
    const guest = this.spec.parties.find((p) => p.role === 'guest');
    const host = this.spec.parties.find((p) => p.role === 'host');
    if (!guest || !host) throw new Error('a vertical job needs a guest and a host');
    return [guest, host];
  }

  private role(id: string): string {
    return this.spec.parties.find((p) => p.participant === id)?.role ?? 'party';
  }

  private salt(): string {
    // Drawn at submission and stored in the context with the submission, before the runner started.
    const context = JSON.parse(this.job.contextJson || '{}') as { verticalSalt?: string };
    if (!context.verticalSalt || !/^[0-9a-f]{64}$/.test(context.verticalSalt))
      throw new Error('the job has no alignment salt (it was stored by an older coordinator); submit it again');
    return context.verticalSalt;
  }

  private metricsOf(answer: VerticalAnswer): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of METRICS) if (answer.metrics[m] !== undefined) out[m] = answer.metrics[m]!;
    return out;
  }

  private guestModelOf(answer: VerticalAnswer): unknown {
    try {
      return JSON.parse(answer.resultJson || 'null');
    } catch {
      throw new Error("the guest's model is not JSON");
    }
  }

  /** Both parties' sessions once each is connected serving its own data set, or an error naming who is missing. */
  private async both(guest: VerticalParty, host: VerticalParty): Promise<[ParticipantSession, ParticipantSession]> {
    const until = Date.now() + this.spec.waitForParticipantsSeconds * 1000;
    let said = '';
    for (;;) {
      const found = [guest, host].map((p) =>
        this.registry.serving(p.dataset).find((x) => x.participantId === p.participant),
      );
      // A party busy with another job's task (a vertical run takes minutes) is waited for, not interrupted.
      const busy = [guest, host].filter((_, i) => found[i]?.busy);
      if (found[0] && found[1] && busy.length === 0) return [found[0], found[1]];
      const missing = [guest, host]
        .filter((_, i) => !found[i])
        .map((p) => `${p.participant} (${p.role}) serving "${p.dataset}"`);
      const line =
        missing.length > 0
          ? `waiting for ${missing.join(' and ')}`
          : `waiting for ${busy.map((p) => p.participant).join(' and ')} to finish another job's task`;
      if (line !== said) this.events.publish(this.jobId, line);
      said = line;
      if (Date.now() > until || this.abort.signal.aborted)
        throw new Error(
          missing.length > 0
            ? `${missing.join(' and ')} did not connect within ${this.spec.waitForParticipantsSeconds} s ` +
                '(waitForParticipantsSeconds); check that each node maps the data set the spec names'
            : `${busy.map((p) => p.participant).join(' and ')} stayed busy with another job's task for ` +
                `${this.spec.waitForParticipantsSeconds} s (waitForParticipantsSeconds); submit again when it ends`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
