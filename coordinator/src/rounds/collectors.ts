import type { tessera } from '@tessera/proto';
import type { OpenTask } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import { StagedUpload } from './staged-upload.js';
import type { UploadLink } from './upload-link.js';
import type { OwnersRefusal, Settle } from './stage.js';
import { ownersRefusal } from './refusals.js';

export interface TaskAnswer {
  numExamples: number;
  metrics: Record<string, number>;
}

const metricsOf = (done: tessera.v1.ITaskDone): Record<string, number> =>
  Object.fromEntries((done.metrics ?? []).map((m) => [m.name ?? '', Number(m.value ?? Number.NaN)]));

export abstract class Collector<R> implements OpenTask {
  constructor(
    readonly key: TaskKey,
    protected readonly settle: Settle<R>,
  ) {}
  onSchema(_report: tessera.v1.ISchemaReport): string | undefined {
    return 'a schema report was not asked for in this stage';
  }
  async onChunk(_chunk: tessera.v1.IVectorChunk): Promise<string | undefined> {
    return 'a vector was not asked for in this stage';
  }
  onDone(_done: tessera.v1.ITaskDone): string | undefined {
    return 'this stage needs more than a done message';
  }
  onAdvertise(_keys: tessera.v1.IAdvertiseKeys): string | undefined {
    return 'key advertisements were not asked for in this stage';
  }
  onShareKeys(_shares: tessera.v1.IShareKeys): string | undefined {
    return 'key shares were not asked for in this stage';
  }
  async onMaskedChunk(_chunk: tessera.v1.IWordChunk): Promise<string | undefined> {
    return 'a masked vector was not asked for in this stage';
  }
  onConsistency(_signature: tessera.v1.IConsistencySignature): string | undefined {
    return 'consistency-check signatures were not asked for in this stage';
  }
  onUnmask(_shares: tessera.v1.IUnmaskShares): string | undefined {
    return 'unmasking shares were not asked for in this stage';
  }
  onSealedChunk(_chunk: tessera.v1.ISealedChunk): string | undefined {
    return 'an encrypted vector was not asked for in this stage';
  }
  onEncryptedSegment(_segment: tessera.v1.IEncryptedSegment): string | undefined {
    return 'encrypted scores were not asked for in this stage';
  }
  onPsi(_points: tessera.v1.IPsiPoints): string | undefined {
    return 'set-intersection points were not asked for in this stage';
  }
  onVerticalProgress(_progress: tessera.v1.IVerticalProgress): string | undefined {
    return 'vertical progress was not asked for in this stage';
  }
  onReady(_ready: tessera.v1.IUploadReady): string | undefined {
    return 'an upload was not asked for in this stage';
  }
  onValuation(_update: tessera.v1.IValuationUpdate): string | undefined {
    return 'valuation updates were not asked for in this stage';
  }
  onRefused(reason: string, kind?: tessera.v1.RefusalKind | null): void {
    this.settle({ ok: false, reason, ...(ownersRefusal(kind) ? { refusal: kind as OwnersRefusal } : {}) });
  }
  onDisconnect(): void {
    this.settle({ ok: false, reason: 'disconnected during the round' });
  }
}

/** Hands each schema report to `accept` as it arrives (which folds it into the agreement), keeping none. */
export class SchemaCollector extends Collector<true> {
  constructor(
    key: TaskKey,
    settle: Settle<true>,
    private readonly accept: (report: tessera.v1.ISchemaReport) => string | undefined,
  ) {
    super(key, settle);
  }

  override onSchema(report: tessera.v1.ISchemaReport): string | undefined {
    if (!report.columns?.length) return 'the schema report lists no columns';
    const problem = this.accept(report);
    if (problem) return problem;
    this.settle({ ok: true, result: true });
    return undefined;
  }
}

export class MetricsCollector extends Collector<TaskAnswer> {
  override onDone(done: tessera.v1.ITaskDone): string | undefined {
    const metrics = metricsOf(done);
    this.settle({ ok: true, result: { numExamples: Number(done.numExamples ?? 0), metrics } });
    return undefined;
  }
}

/** An upload holding a slot: ended however the task ends; it reports when it took the slot back for idleness. */
export interface SlotUpload {
  onIdle(listener: (reason: string) => void): void;
  end(): void;
}

/**
 * A collector whose participant uploads through an upload slot; the slot is freed however the task ends, and an
 * upload left idle past its deadline fails this participant's contribution.
 */
export abstract class UploadCollector<R, U extends SlotUpload> extends Collector<R> {
  constructor(
    key: TaskKey,
    settle: Settle<R>,
    protected readonly upload: U,
  ) {
    super(key, settle);
    upload.onIdle((reason) => this.settle({ ok: false, reason }));
  }

  /** Settles with `result` after the vector was accepted. */
  protected succeed(result: R): undefined {
    this.upload.end();
    this.settle({ ok: true, result });
    return undefined;
  }

  override onRefused(reason: string, kind?: tessera.v1.RefusalKind | null): void {
    this.upload.end();
    super.onRefused(reason, kind);
  }

  override onDisconnect(): void {
    this.upload.end();
    super.onDisconnect();
  }
}

/**
 * Receives one participant's vector: it announces it (UploadReady), is granted a staging slot,
 * sends it in order, then done; the complete vector goes to `accept` (which adds it to the
 * running sum). A broken upload never reaches the sum.
 */
export class VectorCollector extends UploadCollector<TaskAnswer, StagedUpload<Float64Array>> {
  constructor(
    key: TaskKey,
    settle: Settle<TaskAnswer>,
    dimension: number,
    slots: UploadSlots,
    link: UploadLink,
    private readonly accept: (vector: Float64Array, answer: TaskAnswer) => string | undefined,
  ) {
    super(key, settle, new StagedUpload(dimension, () => slots.acquire(dimension), slots, link));
  }

  override onReady(ready: tessera.v1.IUploadReady): string | undefined {
    return this.upload.ready(Number(ready.total ?? 0));
  }

  override async onChunk(chunk: tessera.v1.IVectorChunk): Promise<string | undefined> {
    const offset = Number(chunk.offset ?? 0);
    const values = chunk.values ?? [];
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) return `value ${values[i]} at index ${offset + i} is not a finite number`;
    }
    return this.upload.add(offset, Number(chunk.total ?? 0), values);
  }

  override onDone(done: tessera.v1.ITaskDone): string | undefined {
    const vector = this.upload.complete();
    if (!vector) return `the vector is incomplete: ${this.upload.progress} values arrived before done`;
    const answer = { numExamples: Number(done.numExamples), metrics: metricsOf(done) };
    if (!(answer.numExamples > 0)) return 'done reports no examples: a contribution needs at least one';
    return this.accept(vector, answer) ?? this.succeed(answer);
  }
}
