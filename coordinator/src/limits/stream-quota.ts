/** Counts the open streams of each identity and refuses one more than `max`. */
export class StreamQuota {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Opens a stream for `identity`: its release function (idempotent), or undefined when the quota is full. */
  acquire(identity: string): (() => void) | undefined {
    const count = this.open.get(identity) ?? 0;
    if (count >= this.max) return undefined;
    this.open.set(identity, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(identity) ?? 1) - 1;
      if (left > 0) this.open.set(identity, left);
      else this.open.delete(identity);
    };
  }

  /** Streams open now for `identity`. */
  count(identity: string): number {
    return this.open.get(identity) ?? 0;
  }
}
