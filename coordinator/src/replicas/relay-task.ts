import type { tessera } from '@tessera/proto';
import type { OpenTask } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';

const RELAYED = 'internal: a relayed task takes whole messages';

/**
 * A task another replica drives, open on a participant stream this replica holds: every message for it goes up the
 * link as it came (after the stream's own checks), and its end (a refusal, a disconnect) too. The driver's
 * collector judges the messages; a problem comes back as a RelayProblem.
 */
export class RelayTask implements OpenTask {
  constructor(
    readonly key: TaskKey,
    private readonly participantId: string,
    private readonly up: (m: tessera.v1.IReplicaUp) => void,
    /** The task ended on this side (refused, or the stream closed): the holder forgets it. */
    private readonly onEnd: () => void = () => undefined,
  ) {}

  relay(seq: number, message: tessera.v1.IParticipantMessage): void {
    this.up({ message: { participantId: this.participantId, seq, message } });
  }

  onRefused(reason: string, kind?: tessera.v1.RefusalKind | null): void {
    this.onEnd();
    this.up({ ended: { participantId: this.participantId, task: this.key, reason, ...(kind ? { kind } : {}) } });
  }

  onDisconnect(): void {
    this.onEnd();
    this.up({ ended: { participantId: this.participantId, task: this.key, disconnected: true } });
  }

  onSchema = () => RELAYED;
  onChunk = async () => RELAYED;
  onDone = () => RELAYED;
  onAdvertise = () => RELAYED;
  onShareKeys = () => RELAYED;
  onMaskedChunk = async () => RELAYED;
  onSealedChunk = () => RELAYED;
  onEncryptedSegment = () => RELAYED;
  onPsi = () => RELAYED;
  onVerticalProgress = () => RELAYED;
  onValuation = () => RELAYED;
  onConsistency = () => RELAYED;
  onUnmask = () => RELAYED;
  onReady = () => RELAYED;
}
