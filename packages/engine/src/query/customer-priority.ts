import { createHash, type Hash } from 'node:crypto';

/**
 * HMAC-SHA256 under one key for many messages (RFC 2104), equal to createHmac('sha256', key).update(m).digest(): the
 * hash states after the padded key's block are computed once and copied per message, about twice as fast as a new
 * createHmac per row of an over-cap customer.
 */
export class KeyedPriority {
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash('sha256').update(key).digest() : Buffer.from(key)).copy(block);
    this.inner = createHash('sha256').update(block.map((b) => b ^ 0x36));
    this.outer = createHash('sha256').update(block.map((b) => b ^ 0x5c));
  }

  /** The priority of a customer's k-th contributing row: HMAC-SHA256(key, id + "\0" + k). */
  of(id: string, k: number): Buffer {
    const inner = this.inner.copy().update(`${id}\u0000${k}`).digest();
    return this.outer.copy().update(inner).digest();
  }
}

/** A growing list of row positions (8 bytes each, not a JavaScript array of boxed numbers). */
export class PositionList implements Iterable<number> {
  private data = new Float64Array(1024);
  length = 0;

  push(pos: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = pos;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.length; i++) yield this.data[i]!;
  }
}

/**
 * Picks the rows each over-cap customer keeps, one customer at a time: rows arrive ordered by customer and then by
 * position, so only the current customer's rows are held. The k-th row (in position order) gets priority
 * HMAC(key, id + "\0" + k); the `cap` smallest priorities (ties by position) are kept, the rest are `dropped`.
 */
export class CustomerDraw {
  readonly dropped = new PositionList();
  private id: string | undefined;
  private rows: { pos: number; p: Buffer }[] = [];

  constructor(
    private readonly priority: KeyedPriority,
    private readonly cap: number,
  ) {}

  add(id: string, pos: number): void {
    if (id !== this.id) {
      this.flush();
      this.id = id;
    }
    this.rows.push({ pos, p: this.priority.of(id, this.rows.length) });
  }

  /** Ends the last customer; call once after the last row. */
  flush(): void {
    this.rows.sort((a, b) => Buffer.compare(a.p, b.p) || a.pos - b.pos);
    for (let i = this.cap; i < this.rows.length; i++) this.dropped.push(this.rows[i]!.pos);
    this.rows = [];
  }
}
