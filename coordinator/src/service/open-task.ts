import type { tessera } from '@tessera/proto';
import type { TaskKey } from './task-ref.js';

/** What a round expects from one participant for one task; the session routes matching messages to it. */
export interface OpenTask {
  readonly key: TaskKey;
  onSchema(report: tessera.v1.ISchemaReport): string | undefined;
  onChunk(chunk: tessera.v1.IVectorChunk): Promise<string | undefined>;
  onDone(done: tessera.v1.ITaskDone): string | undefined;
  onAdvertise(keys: tessera.v1.IAdvertiseKeys): string | undefined;
  onShareKeys(shares: tessera.v1.IShareKeys): string | undefined;
  onMaskedChunk(chunk: tessera.v1.IWordChunk): Promise<string | undefined>;
  onSealedChunk(chunk: tessera.v1.ISealedChunk): string | undefined;
  onEncryptedSegment(segment: tessera.v1.IEncryptedSegment): string | undefined;
  onPsi(points: tessera.v1.IPsiPoints): string | undefined;
  onVerticalProgress(progress: tessera.v1.IVerticalProgress): string | undefined;
  onValuation(update: tessera.v1.IValuationUpdate): string | undefined;
  onConsistency(signature: tessera.v1.IConsistencySignature): string | undefined;
  onUnmask(shares: tessera.v1.IUnmaskShares): string | undefined;
  onReady(ready: tessera.v1.IUploadReady): string | undefined;
  onRefused(reason: string, kind?: tessera.v1.RefusalKind | null): void;
  onDisconnect(): void;
  /**
   * A task another replica drives (replicas/relay-task.ts): it takes each message whole, after the stream's checks,
   * instead of the handlers above.
   */
  relay?(seq: number, message: tessera.v1.IParticipantMessage): void;
}
