import { describe, expect, it, vi } from 'vitest';
import { StreamQuota } from '../src/limits/stream-quota.js';
import { TokenBuckets } from '../src/limits/token-bucket.js';
import { ResourceLimitConfigError, resourceLimits, DEFAULT_RESOURCE_LIMITS } from '../src/limits/resource-limits.js';
import { IdleDeadline } from '../src/rounds/idle-deadline.js';
import { PsiRelayCollector } from '../src/rounds/psi-relay.js';
import { ScoreCollector } from '../src/rounds/score-collector.js';
import { SealedUpload } from '../src/rounds/sealed-upload.js';
import { StagedUpload } from '../src/rounds/staged-upload.js';
import type { ParticipantSession } from '../src/service/participant-session.js';
import { UploadSlots } from '../src/service/upload-slots.js';

// The parts of the coordinator's resource limits, without gRPC (dos-*.test.ts attack a running coordinator).

const MiB = 1024 * 1024;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** An upload link that records what it said to the participant. */
function recordingLink() {
  const said: string[] = [];
  return { said, link: { grant: async () => void said.push('grant'), revoke: (why: string) => void said.push(why) } };
}

describe('TokenBuckets: the rate limit of unauthenticated calls', () => {
  it('allows a burst, then one call per 1/rate seconds, per key, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets(3, 2, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(500);
    expect(buckets.take('b')).toBe(0); // another address has its own bucket
    now += 500;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(500);
    now += 10_000; // refills to the burst, no further
    expect([0, 1, 2, 3].map(() => buckets.take('a'))).toEqual([0, 0, 0, 500]);
  });

  it('stays bounded against many addresses: refilled buckets are forgotten, and the rest share one', () => {
    let now = 0;
    const buckets = new TokenBuckets(1, 1, () => now);
    for (let i = 0; i < 10_000; i++) buckets.take(`10.0.${i >> 8}.${i & 255}`);
    expect(buckets.size).toBe(10_000);
    // Every bucket is empty: a new address lands in the shared overflow bucket (refused once it is spent).
    expect(buckets.take('192.0.2.1')).toBe(0);
    expect(buckets.take('192.0.2.2')).toBeGreaterThan(0);
    expect(buckets.size).toBe(10_001);
    now += 1000; // all refilled: forgotten on the next new address
    expect(buckets.take('192.0.2.3')).toBe(0);
    expect(buckets.size).toBeLessThan(10);
  });
});

describe('StreamQuota: concurrent streams per identity', () => {
  it('refuses one more than the maximum until a stream is released (each release counts once)', () => {
    const quota = new StreamQuota(2);
    const a = quota.acquire('analyst token x')!;
    const b = quota.acquire('analyst token x')!;
    expect(quota.acquire('analyst token x')).toBeUndefined();
    expect(quota.acquire('analyst token y')).toBeDefined();
    a();
    a();
    expect(quota.count('analyst token x')).toBe(1);
    expect(quota.acquire('analyst token x')).toBeDefined();
    b();
  });
});

describe('resourceLimits', () => {
  it('fills in the defaults and refuses a limit that cannot be, naming it', () => {
    expect(resourceLimits({ uploadIdleSeconds: 5 })).toEqual({ ...DEFAULT_RESOURCE_LIMITS, uploadIdleSeconds: 5 });
    expect(() => resourceLimits({ maxStreamsPerIdentity: 0 })).toThrow(ResourceLimitConfigError);
    expect(() => resourceLimits({ maxMessageBytes: 1.5 })).toThrow(
      'resource limit maxMessageBytes: must be a positive integer, got 1.5',
    );
  });
});

describe('IdleDeadline', () => {
  it('fires once after the last touch, and never after stop', () => {
    vi.useFakeTimers();
    try {
      const fired = vi.fn();
      const d = new IdleDeadline(100, fired);
      d.touch();
      vi.advanceTimersByTime(80);
      d.touch();
      vi.advanceTimersByTime(80);
      expect(fired).not.toHaveBeenCalled();
      vi.advanceTimersByTime(30);
      expect(fired).toHaveBeenCalledTimes(1);
      d.touch(); // stopped once fired
      vi.advanceTimersByTime(500);
      expect(fired).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('upload slots: the idle deadline', () => {
  it('takes back a granted slot that sees no chunk, says why, and the next upload gets it', async () => {
    const slots = new UploadSlots(1, 50);
    const idle = recordingLink();
    const held = new StagedUpload(4, () => slots.acquire(4), slots, idle.link);
    const expired = new Promise<string>((resolve) => held.onIdle(resolve));
    expect(held.ready(4)).toBeUndefined();
    const next = recordingLink();
    const waiting = new StagedUpload(4, () => slots.acquire(4), slots, next.link);
    waiting.ready(4);
    await flush();
    expect(idle.said).toEqual(['grant']);
    expect(next.said).toEqual([]); // the only slot is held
    const started = performance.now();
    const reason = await expired;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(reason).toMatch(/no chunk for 0\.05 s after the upload was granted: .*\(limit uploadIdleSeconds\)/);
    expect(idle.said[1]).toBe(reason);
    expect(held.add(0, 4, [1, 2, 3, 4])).toBe('chunk sent before the upload was granted');
    await flush();
    expect(next.said).toEqual(['grant']);
    expect(waiting.add(0, 4, [1, 2])).toBeUndefined();
    expect(waiting.add(2, 4, [3, 4])).toBeUndefined();
    expect(waiting.complete()).toEqual(new Float64Array([1, 2, 3, 4]));
    waiting.end();
  });

  it('keeps a slot whose chunks keep coming, however long the whole upload takes', async () => {
    const slots = new UploadSlots(1, 60);
    const { link } = recordingLink();
    const upload = new StagedUpload(5, () => slots.acquire(5), slots, link);
    upload.onIdle(() => expect.fail('an upload that keeps sending was taken back'));
    upload.ready(5);
    await flush();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(upload.add(i, 5, [i])).toBeUndefined();
    }
    expect(upload.complete()).toHaveLength(5);
    upload.end();
  });
});

describe('sealed uploads go through the slots and are checked against their size', () => {
  const MAX = 200_000; // about a ciphertext under n = 4096 (ciphertextMaxBytes)

  it('keeps none of 40 junk chunks of 8 MiB: the first refused naming the limit, the rest out of order', async () => {
    const slots = new UploadSlots(1, 60_000);
    const { link } = recordingLink();
    const upload = new SealedUpload(40, MAX, slots, link);
    upload.ready(40);
    await flush();
    const junk = new Uint8Array(8 * MiB);
    const refusals = Array.from({ length: 40 }, (_, i) => upload.add(i, 40, junk));
    expect(refusals[0]).toEqual({
      code: 'ciphertext-size',
      why:
        `ciphertext 0 has ${8 * MiB} bytes, more than the ${MAX} one under this round's encryption parameters ` +
        'can take (limit: sealed ciphertext size)',
    });
    expect(refusals.slice(1).every((r) => r?.code === 'wrong-length')).toBe(true);
    expect(upload.bytes).toBe(0);
    upload.end();
  });

  it('holds at most chunkCount x the ciphertext bound, only with a slot, and gives the slot back once', async () => {
    const slots = new UploadSlots(1, 60_000);
    const first = recordingLink();
    const a = new SealedUpload(3, MAX, slots, first.link);
    const second = recordingLink();
    const b = new SealedUpload(3, MAX, slots, second.link);
    expect(b.add(0, 3, new Uint8Array(10))?.why).toBe('encrypted chunks arrived before the upload was announced');
    a.ready(3);
    b.ready(3);
    await flush();
    expect([first.said, second.said]).toEqual([['grant'], []]);
    expect(b.add(0, 3, new Uint8Array(10))?.why).toBe('encrypted chunks arrived before the upload was granted');
    for (let i = 0; i < 3; i++) expect(a.add(i, 3, new Uint8Array(MAX))).toBeUndefined();
    expect(a.bytes).toBe(3 * MAX);
    expect(a.complete()).toHaveLength(3);
    a.end();
    a.end();
    await flush();
    expect(second.said).toEqual(['grant']);
    expect(a.bytes).toBe(0);
    b.end();
    // The slot came back once: exactly one upload can take it now.
    const c = new SealedUpload(1, MAX, slots, recordingLink().link);
    const d = new SealedUpload(1, MAX, slots, recordingLink().link);
    c.ready(1);
    d.ready(1);
    await flush();
    expect(c.complete()).toBeUndefined();
    expect(c.add(0, 1, new Uint8Array(1))).toBeUndefined();
    expect(d.add(0, 1, new Uint8Array(1))?.why).toMatch(/before the upload was granted/);
    c.end();
    d.end();
  });

  it('takes back a granted sealed slot left idle', async () => {
    const slots = new UploadSlots(1, 40);
    const idle = recordingLink();
    const upload = new SealedUpload(2, MAX, slots, idle.link);
    const expired = new Promise<string>((resolve) => upload.onIdle(resolve));
    upload.ready(2);
    expect(await expired).toMatch(/limit uploadIdleSeconds/);
    expect(idle.said).toHaveLength(2);
    const after = new SealedUpload(1, MAX, slots, recordingLink().link);
    after.ready(1);
    await flush();
    expect(after.add(0, 1, new Uint8Array(1))).toBeUndefined();
    after.end();
  });
});

describe("the PSI relay: a sealed set over the overlap job's maxSetSize", () => {
  it('is refused naming the limit, and never reaches the other side', () => {
    const relayed: unknown[] = [];
    const peer = { send: async (m: unknown) => void relayed.push(m) } as unknown as ParticipantSession;
    const settle = () => undefined;
    const key = { jobId: 'job-o', round: 1, stage: 11 }; // OVERLAP
    const relay = new PsiRelayCollector(key, settle, () => peer, 10);
    const hello = { kind: 'psi/hello', ephemeralKey: new Uint8Array(32), ephemeralSignature: new Uint8Array(64) };
    expect(relay.onPsi(hello)).toBeUndefined();
    // 10 points of 32 bytes, plus 1024 bytes for the AEAD and the inner message's fields.
    const sealed = (bytes: number) => ({ kind: 'psi/sealed', seq: 0, sealed: new Uint8Array(bytes) });
    expect(relay.onPsi(sealed(32 * 10 + 1025))).toBe(
      'a sealed PSI message of 1345 bytes is larger than the 1344 that a set of the 10 points this overlap job ' +
        'takes needs (its maxSetSize, at most the psiSetSize cap)',
    );
    expect(relayed).toHaveLength(1);
    expect(relay.onPsi(sealed(32 * 10 + 1024))).toBeUndefined();
    expect(relayed).toHaveLength(2);
  });
});

describe('encrypted scores: a ciphertext over the size one can take', () => {
  it('is refused naming the limit before the segment is kept', () => {
    const accepted: unknown[] = [];
    const key = { jobId: 'job-s', round: 1, stage: 9 }; // SCORE
    const collector = new ScoreCollector(
      key,
      () => undefined,
      2,
      1000,
      (segments) => {
        accepted.push(segments);
        return undefined;
      },
    );
    const segment = (index: number, bytes: number) => ({
      index,
      total: 2,
      score: new Uint8Array(bytes),
      count: new Uint8Array(10),
    });
    expect(collector.onEncryptedSegment(segment(0, 8 * MiB))).toBe(
      `segment 0 carries a ciphertext of ${8 * MiB} bytes, more than the 1000 one under the job's encryption ` +
        'parameters can take (limit: ciphertext size)',
    );
    expect(collector.onEncryptedSegment(segment(0, 1000))).toBeUndefined();
    expect(collector.onEncryptedSegment(segment(1, 999))).toBeUndefined();
    expect(collector.onDone({ numExamples: 1 })).toBeUndefined();
    expect(accepted).toHaveLength(1);
  });
});
