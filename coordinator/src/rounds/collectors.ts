import type { tessera } from '@tessera/proto';
import type { OpenTask } from '../service/participant-session.js';
import type { TaskKey } from '../service/task-ref.js';
import type { UploadSlots } from '../service/upload-slots.js';
import type { Settle } from './stage.js';

export interface TaskAnswer {
  numExamples: number;
  metrics: Record<string, number>;
}

const metricsOf = (done: tessera.v1.ITaskDone): Record<string, number> =>
  Object.fromEntries((done.metrics ?? []).map((m) => [m.name ?? "", Number(m.value ?? Number.NaN)]));

export abstract class Collector<R> implements OpenTask {
  constructor(readonly key: TaskKey, protected readonly settle: Settle<R>) {}
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
  onUnmask(_shares: tessera.v1.IUnmaskShares): string | undefined {
    return 'unmasking shares were not asked for in this stage';
  }
  onRefused(reason: string): void {
    this.settle({ ok: false, reason });
  }
  onDisconnect(): void {
    this.settle({ ok: false, reason: 'disconnected during the round' });
  }
}

export class SchemaCollector extends Collector<tessera.v1.ISchemaReport> {
  override onSchema(report: tessera.v1.ISchemaReport): string | undefined {
    if (!report.columns?.length) return 'the schema report lists no columns';
    this.settle({ ok: true, result: report });
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

/**
 * Receives one participant's vector in order, into a staging buffer held from the first
 * chunk to the done message, then hands the complete vector to `accept` (which adds it to
 * the running sum). A broken upload never reaches the sum.
 */
export class VectorCollector extends Collector<TaskAnswer> {
  private buffer: Float64Array | undefined;
  private received = 0;
  private ended = false;

  constructor(
    key: TaskKey,
    settle: Settle<TaskAnswer>,
    private readonly dimension: number,
    private readonly slots: UploadSlots,
    private readonly accept: (vector: Float64Array, answer: TaskAnswer) => string | undefined,
  ) {
    super(key, settle);
  }

  override async onChunk(chunk: tessera.v1.IVectorChunk): Promise<string | undefined> {
    const offset = Number(chunk.offset ?? 0);
    const total = Number(chunk.total ?? 0);
    const values = chunk.values ?? [];
    if (total !== this.dimension) return `vector length ${total} does not match the expected ${this.dimension}`;
    if (offset !== this.received) return `chunk at offset ${offset} is out of order (expected offset ${this.received})`;
    if (offset + values.length > this.dimension) return `chunk at offset ${offset} with ${values.length} values runs past the vector length ${this.dimension}`;
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) return `value ${values[i]} at index ${offset + i} is not a finite number`;
    }
    if (!this.buffer) {
      const buffer = await this.slots.acquire(this.dimension);
      if (this.ended) {
        this.slots.release(buffer);
        return undefined;
      }
      this.buffer = buffer;
    }
    this.buffer.set(values, offset);
    this.received += values.length;
    return undefined;
  }

  override onDone(done: tessera.v1.ITaskDone): string | undefined {
    if (this.received !== this.dimension || !this.buffer) {
      return `the vector is incomplete: ${this.received} of ${this.dimension} values arrived before done`;
    }
    const answer = { numExamples: Number(done.numExamples), metrics: metricsOf(done) };
    if (!(answer.numExamples > 0)) return 'done reports no examples: a contribution needs at least one';
    const problem = this.accept(this.buffer, answer);
    if (problem) return problem;
    this.release();
    this.settle({ ok: true, result: answer });
    return undefined;
  }

  override onRefused(reason: string): void {
    this.release();
    super.onRefused(reason);
  }

  override onDisconnect(): void {
    this.release();
    super.onDisconnect();
  }

  private release(): void {
    this.ended = true;
    if (this.buffer) this.slots.release(this.buffer);
    this.buffer = undefined;
  }
}
