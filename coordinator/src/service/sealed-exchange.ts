import type { tessera } from '@tessera/proto';

/** What an analyst's AttachSealed stream looks like to the exchange. */
export interface AnalystStream {
  write(message: tessera.v1.ISealedAggregate): void;
  end(): void;
}

interface Pending {
  aggregate: tessera.v1.ISealedAggregate;
  resolve: (values: Float64Array) => void;
  reject: (error: Error) => void;
}

/**
 * Sealed mode's hand-over between job runners and analysts: a runner posts an encrypted
 * aggregate and waits; the analyst attached to that job decrypts it on its side and answers
 * with what the job needs next. The aggregate stays pending until answered, so an analyst that
 * re-attaches after a disconnect gets it again. The coordinator never holds a secret key.
 */
export class SealedExchange {
  private readonly pending = new Map<string, Pending>();
  private readonly streams = new Map<string, Set<AnalystStream>>();

  /**
   * Posts an aggregate for the job's analyst; resolves with the analyst's values. `onWait` names what is waiting
   * for decryption, told (with the command that attaches) when no analyst is attached now.
   */
  request(
    aggregate: tessera.v1.ISealedAggregate,
    signal?: AbortSignal,
    onWait?: { what: string; publish: (message: string) => void },
  ): Promise<Float64Array> {
    const jobId = aggregate.jobId ?? '';
    if (onWait && !this.attached(jobId))
      onWait.publish(`waiting for the analyst to decrypt ${onWait.what} (tessera job attach ${jobId})`);
    this.pending.get(jobId)?.reject(new Error('superseded by a newer aggregate'));
    return new Promise<Float64Array>((resolve, reject) => {
      const onAbort = () => {
        if (this.pending.get(jobId)?.aggregate === aggregate) this.pending.delete(jobId);
        reject(new Error(String(signal?.reason ?? 'cancelled')));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done =
        <T>(fn: (v: T) => void) =>
        (v: T) => {
          signal?.removeEventListener('abort', onAbort);
          this.pending.delete(jobId);
          fn(v);
        };
      this.pending.set(jobId, { aggregate, resolve: done(resolve), reject: done(reject) });
      for (const s of this.streams.get(jobId) ?? []) s.write(aggregate);
    });
  }

  /** Whether an analyst is attached to the job now. */
  attached(jobId: string): boolean {
    return (this.streams.get(jobId)?.size ?? 0) > 0;
  }

  attach(jobId: string, stream: AnalystStream): void {
    let set = this.streams.get(jobId);
    if (!set) this.streams.set(jobId, (set = new Set()));
    set.add(stream);
    const p = this.pending.get(jobId);
    if (p) stream.write(p.aggregate);
  }

  detach(jobId: string, stream: AnalystStream): void {
    this.streams.get(jobId)?.delete(stream);
  }

  /** An analyst's answer; refused (with a reason) unless it answers the pending aggregate. */
  reply(m: tessera.v1.ISealedReply): string | undefined {
    const p = this.pending.get(m.jobId ?? '');
    if (!p) return `job ${m.jobId} has no encrypted aggregate waiting for an answer`;
    if ((m.round ?? 0) !== (p.aggregate.round ?? 0) || (m.stage ?? '') !== (p.aggregate.stage ?? '')) {
      return (
        `the answer is for ${m.stage} round ${m.round}, ` +
        `but ${p.aggregate.stage} round ${p.aggregate.round} is waiting`
      );
    }
    if (m.error)
      p.reject(
        new Error(
          `the analyst could not use the ${p.aggregate.stage} aggregate of round ${p.aggregate.round}: ${m.error}`,
        ),
      );
    else p.resolve(Float64Array.from(m.values ?? []));
    return undefined;
  }

  /** The job ended: its analysts' streams close. */
  close(jobId: string): void {
    this.pending.get(jobId)?.reject(new Error('the job ended'));
    for (const s of this.streams.get(jobId) ?? []) s.end();
    this.streams.delete(jobId);
  }
}
