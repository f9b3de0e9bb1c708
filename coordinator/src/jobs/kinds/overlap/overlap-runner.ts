import { psiRoles, tessera } from '@tessera/proto';
import { PsiRelayCollector } from '../../../rounds/psi-relay.js';
import { runStage } from '../../../rounds/stage.js';
import type { ParticipantSession } from '../../../service/participant-session.js';
import type { SessionRegistry } from '../../../service/registry.js';
import type { JobRecord, Store } from '../../../store/store.js';
import { identityKeysOf } from '../../identity-keys.js';
import type { JobEvents } from '../../job-events.js';
import { OneRoundRunner } from '../../one-round-runner.js';
import { parseOverlapSpec, type OverlapSpec } from '@tessera/jobs';

const pb = tessera.v1;

/**
 * Runs an audience-overlap job: the two named participants run ECDH-PSI cardinality on their
 * identifier column over a channel sealed end to end between their identity keys (the coordinator
 * relays ciphertext only, psi-relay.ts). The first participant counts and releases the count with
 * discrete Laplace noise of the spec's epsilon; both report that noisy overlap, which must agree.
 */
export class OverlapRunner extends OneRoundRunner {
  private readonly spec: OverlapSpec;

  constructor(
    job: JobRecord,
    store: Store,
    private readonly registry: SessionRegistry,
    events: JobEvents,
  ) {
    super(job, store, events);
    this.spec = parseOverlapSpec(JSON.parse(job.specJson));
  }

  protected async runRound(): Promise<{ message: string; context: object }> {
    const overlap = await this.overlap();
    return {
      message: `completed: ${overlap} shared identifiers`,
      context: {
        result: {
          overlap,
          participants: this.spec.participants,
          // How the count was noised (by the counting participant, participants[0]) and what each side charged.
          privacy: {
            epsilon: this.spec.privacy.epsilon,
            delta: 0,
            mechanism: 'discrete Laplace',
            scale: 1 / this.spec.privacy.epsilon,
            countedBy: this.spec.participants[0],
          },
        },
      },
    };
  }

  private async both(): Promise<[ParticipantSession, ParticipantSession]> {
    const s = this.spec;
    const until = Date.now() + s.waitForParticipantsSeconds * 1000;
    for (;;) {
      const serving = this.registry.serving(s.dataset);
      const pair = s.participants.map((id) => serving.find((x) => x.participantId === id));
      if (pair[0] && pair[1]) return [pair[0], pair[1]];
      if (Date.now() > until || this.abort.signal.aborted) {
        const missing = s.participants.filter((_, i) => !pair[i]);
        throw new Error(
          `participant(s) ${missing.join(', ')} did not connect serving data set "${s.dataset}" ` +
            `within ${s.waitForParticipantsSeconds} s`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async overlap(): Promise<number> {
    const s = this.spec;
    const [a, b] = await this.both();
    const keys = await identityKeysOf(this.store, [a.participantId, b.participantId]);
    const key = { jobId: this.jobId, round: 1, stage: pb.Stage.OVERLAP };
    const started = performance.now();
    // A run cannot go on without either side: once one refuses or fails, the stage ends for the other too.
    const oneFailed = new AbortController();
    const outcome = await runStage<number>({
      key,
      sessions: [a, b],
      deadlineMs: s.roundTimeoutSeconds * 1000,
      signal: AbortSignal.any([this.abort.signal, oneFailed.signal]),
      request: (x) => {
        const peer = x === a ? b : a;
        return {
          message: {
            task: {
              ...this.analystField(),
              ref: key,
              dataset: s.dataset,
              deadlineUnixMs: Date.now() + s.roundTimeoutSeconds * 1000,
              overlap: {
                column: s.column,
                role: psiRoles.toProto(x === a ? 'initiator' : 'responder'),
                session: this.jobId,
                peerId: peer.participantId,
                peerIdentityKey: keys.get(peer.participantId) ?? new Uint8Array(0),
                peerRosterSignature: peer.rosterSignature,
              },
            },
          },
        };
      },
      collector: (x, settle) =>
        new PsiRelayCollector(
          key,
          (o) => {
            settle(o);
            if (!o.ok) oneFailed.abort();
          },
          () => (x === a ? b : a),
          s.maxSetSize,
        ),
    });
    const seconds = (performance.now() - started) / 1000;
    const counts = [...outcome.results.values()];
    const [first = 0, second = 0] = counts;
    const error =
      outcome.results.size < 2
        ? `the overlap did not complete: ${[...outcome.failures].map(([id, why]) => `${id}: ${why}`).join('; ')}`
        : first !== second
          ? `the two participants computed different overlaps (${counts.join(' and ')})`
          : '';
    await this.store.addRound({
      jobId: this.jobId,
      round: 1,
      stage: 'overlap',
      attempt: 1,
      status: error ? 'failed' : 'completed',
      contributors: outcome.results.size,
      dropped: [...outcome.failures.keys()],
      metrics: error ? {} : { overlap: first },
      seconds,
      error,
      finishedAt: Date.now(),
    });
    if (error) throw new Error(error);
    return first;
  }
}
