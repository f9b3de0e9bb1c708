import { sha256 } from '@tessera/crypto';

/**
 * Heavy hitters over an unknown domain, in one round: every item is encoded as UTF-8 bytes, truncated (at a
 * character boundary) or zero-padded to `maxLength`; for each prefix length l = 1..maxLength a count-min sketch
 * of depth x width counts the item's length-l prefix. Counter (l, r, b) is at offset ((l - 1) * depth + r) * width + b.
 * Bucket hashes are MurmurHash3 under per-row seeds derived (SHA-256) from a fixed public seed, so every
 * participant and the decoder agree.
 * Count-min never underestimates without noise, so every item whose count reaches the threshold survives
 * every level of the prefix search (its prefixes' counts are at least its own).
 */
export interface SketchShape {
  maxLength: number;
  depth: number;
  width: number;
  seed: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The item's bytes: UTF-8, truncated at a character boundary to maxLength, zero-padded to maxLength. */
export function itemBytes(item: string, maxLength: number): Uint8Array {
  let b = encoder.encode(item);
  if (b.length > maxLength) {
    let end = maxLength;
    // b[end] (end <= maxLength < b.length) is a continuation byte: cut before its lead byte.
    while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
    b = b.subarray(0, end);
  }
  const out = new Uint8Array(maxLength);
  out.set(b);
  return out;
}

/** The item a decoded byte string stands for: trailing zero padding removed, UTF-8 decoded. */
export function bytesItem(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return decoder.decode(bytes.subarray(0, end));
}

const rowSeedCache = new Map<string, Uint32Array>();

/** Per-row 32-bit hash seeds derived from the public seed by SHA-256 (the same for every participant). */
function rowSeeds(seed: string, depth: number): Uint32Array {
  const key = `${seed}/${depth}`;
  let seeds = rowSeedCache.get(key);
  if (!seeds) {
    seeds = new Uint32Array(depth);
    for (let r = 0; r < depth; r++) {
      const h = sha256(`${seed}/row/${r}`); // 32 bytes
      seeds[r] = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
    }
    rowSeedCache.set(key, seeds);
  }
  return seeds;
}

/**
 * MurmurHash3 (x86, 32-bit) of the first `n` bytes of `data` under `seed`: a fast, well-mixed public hash (no secrecy
 * is needed). `n` must not exceed data.length; the hash loops read data[0, n) without a bounds check.
 */
export function murmur3(data: Uint8Array, seed: number, n = data.length): number {
  const blocks = n & ~3;
  return murmurFinish(data, murmurBlocks(data, seed >>> 0, 0, blocks), blocks, n);
}

/**
 * The MurmurHash3 state after mixing in the 4-byte blocks of data[from, to) (to - from a multiple of 4) into state h.
 */
function murmurBlocks(data: Uint8Array, h: number, from: number, to: number): number {
  for (let i = from; i < to; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return h;
}

/**
 * Completes MurmurHash3 of data[0, n) from the state h after its first `done` bytes (a multiple of 4): the remaining
 * blocks, the tail, the finaliser.
 */
function murmurFinish(data: Uint8Array, h: number, done: number, n: number): number {
  const blocks = n & ~3;
  h = murmurBlocks(data, h, done, blocks);
  const tail = n & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= data[blocks + 2]! << 16;
    if (tail >= 2) k ^= data[blocks + 1]! << 8;
    k ^= data[blocks]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The bucket of `prefix` (its length is the level) in each of the `depth` rows: MurmurHash3 under per-row seeds derived
 * from the public seed.
 */
export function prefixBuckets(shape: SketchShape, prefix: Uint8Array, out = new Int32Array(shape.depth)): Int32Array {
  return bucketsOf(rowSeeds(shape.seed, shape.depth), shape.width, prefix, prefix.length, out);
}

/**
 * prefixBuckets for the first `length` bytes of `bytes`, with the row seeds already derived (the decoder's inner loop).
 */
function bucketsOf(seeds: Uint32Array, width: number, bytes: Uint8Array, length: number, out: Int32Array): Int32Array {
  for (let r = 0; r < seeds.length; r++) {
    out[r] = murmur3(bytes, (seeds[r]! ^ Math.imul(length, 0x9e3779b1)) >>> 0, length) % width;
  }
  return out;
}

/** Offsets (relative to the sketch section) of every counter an item increments: maxLength * depth of them. */
export function itemCounters(shape: SketchShape, item: string): Int32Array {
  const bytes = itemBytes(item, shape.maxLength);
  const out = new Int32Array(shape.maxLength * shape.depth);
  const buckets = new Int32Array(shape.depth);
  for (let l = 1; l <= shape.maxLength; l++) {
    prefixBuckets(shape, bytes.subarray(0, l), buckets);
    for (let r = 0; r < shape.depth; r++) {
      out[(l - 1) * shape.depth + r] = ((l - 1) * shape.depth + r) * shape.width + buckets[r]!;
    }
  }
  return out;
}

/** Count-min estimate of a prefix's count from the (summed) sketch section. */
export function estimatePrefix(shape: SketchShape, sketch: ArrayLike<number>, prefix: Uint8Array): number {
  checkSketch(shape, sketch);
  if (prefix.length < 1 || prefix.length > shape.maxLength) {
    throw new RangeError(`a prefix has 1..${shape.maxLength} bytes, got ${prefix.length}`);
  }
  return estimateOf(
    shape,
    sketch,
    rowSeeds(shape.seed, shape.depth),
    prefix,
    prefix.length,
    new Int32Array(shape.depth),
  );
}

/** Throws unless the sketch holds every counter of the shape (maxLength x depth x width). */
function checkSketch(shape: SketchShape, sketch: ArrayLike<number>): void {
  const counters = shape.maxLength * shape.depth * shape.width;
  if (sketch.length < counters) {
    const dims = `${shape.maxLength} x ${shape.depth} x ${shape.width}`;
    throw new RangeError(`a sketch of ${dims} has ${counters} counters, got ${sketch.length}`);
  }
}

/** estimatePrefix of the first `length` bytes of `bytes`, reusing the row seeds and a bucket buffer. */
function estimateOf(
  shape: SketchShape,
  sketch: ArrayLike<number>,
  seeds: Uint32Array,
  bytes: Uint8Array,
  length: number,
  buckets: Int32Array,
): number {
  bucketsOf(seeds, shape.width, bytes, length, buckets);
  let est = Infinity;
  // checkSketch and 1 <= length <= maxLength: every counter index is in range; buckets are below width.
  for (let r = 0; r < shape.depth; r++) {
    est = Math.min(est, sketch[((length - 1) * shape.depth + r) * shape.width + buckets[r]!]!);
  }
  return est;
}

/**
 * Decodes heavy hitters: extends candidate prefixes byte by byte, keeping those whose estimate is at least
 * `threshold` (at most `cap` per level, the highest estimates), and returns the full-length survivors by
 * decreasing estimate. A prefix ending in padding (0) is only extended with padding.
 */
export function decodeHeavyHitters(
  shape: SketchShape,
  sketch: ArrayLike<number>,
  threshold: number,
  cap: number,
): Array<{ item: string; count: number }> {
  checkSketch(shape, sketch);
  let candidates: Array<{ prefix: Uint8Array; est: number }> = [{ prefix: new Uint8Array(0), est: Infinity }];
  const seeds = rowSeeds(shape.seed, shape.depth);
  const states = new Int32Array(shape.depth);
  const scratch = new Uint8Array(shape.maxLength);
  for (let l = 1; l <= shape.maxLength && candidates.length > 0; l++) {
    const next: Array<{ prefix: Uint8Array; est: number }> = [];
    // The 256 extensions of a candidate share its full 4-byte blocks: hash those once per row.
    const common = (l - 1) & ~3;
    for (const c of candidates) {
      const padded = l > 1 && c.prefix[l - 2] === 0;
      scratch.set(c.prefix);
      for (let r = 0; r < shape.depth; r++) {
        states[r] = murmurBlocks(scratch, (seeds[r]! ^ Math.imul(l, 0x9e3779b1)) >>> 0, 0, common);
      }
      for (let b = 0; b < 256; b++) {
        if (padded && b !== 0) break;
        if (l === 1 && b === 0) continue; // an item is never empty
        scratch[l - 1] = b;
        let est = Infinity;
        for (let r = 0; r < shape.depth; r++) {
          // checkSketch above and l <= maxLength: the counter index is in range.
          const bucket = murmurFinish(scratch, states[r]!, common, l) % shape.width;
          est = Math.min(est, sketch[((l - 1) * shape.depth + r) * shape.width + bucket]!);
        }
        if (est >= threshold) next.push({ prefix: scratch.slice(0, l), est });
      }
    }
    next.sort((a, b) => b.est - a.est);
    candidates = next.length > cap ? next.slice(0, cap) : next;
  }
  return candidates.map((c) => ({ item: bytesItem(c.prefix), count: c.est }));
}
