/** Keys tracked at once; beyond it, buckets that have refilled are forgotten (they hold no information). */
const MAX_KEYS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a peer address): `burst` calls at once, then `perSecond`. A key's bucket starts
 * full; a full bucket is the same as none, so the map only holds keys that spent recently, and stays
 * bounded even against many addresses (past MAX_KEYS, new keys share one bucket).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly burst: number,
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token for `key`: 0 if there was one, else the milliseconds until there is. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.bucketOf(this.buckets.has(key) || this.room(now) ? key : '(overflow)', now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
  }

  private bucketOf(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    return bucket;
  }

  /** Whether a new key fits, after forgetting the buckets that have refilled. */
  private room(now: number): boolean {
    if (this.buckets.size < MAX_KEYS) return true;
    for (const [key, b] of this.buckets)
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    return this.buckets.size < MAX_KEYS;
  }

  /** Keys with a bucket now (for tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }
}
