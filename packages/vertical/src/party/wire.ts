// The byte encoding of every vertical message (`VerticalMessage`) and its chunking for the coordinator's relay.
/**
 * A participant seals `encodeVerticalMessage(m)` end to end and the coordinator relays it in chunks of at most 1 MiB
 * (`chunkBytes` and `Reassembler` cut and join them); the peer opens it and calls `decodeVerticalMessage`.
 *
 * Layout: one tag byte naming the kind, then the kind's fields in declaration order, all little-endian:
 * - a count or index (u32; a tree node i32, as the guest numbers the smaller child of a pair -1 - node); an exact
 *   integer mod p that may exceed 32 bits (u64, at most 2^53 - 1); a real (f64, finite);
 * - a string: u32 byte length, then UTF-8; a byte array: u32 length, then the bytes; a list of byte arrays: u32
 *   count, then each byte array; a list of numbers: u32 count, then the numbers;
 * - a Uint32Array or Float64Array: u32 count, then the raw little-endian elements.
 * Alignment messages are tag 0x01 followed by `encodeAlignmentMessage` (@tessera/psi's own layout).
 *
 * Decoding is strict and never trusts a length: an unknown tag, a truncated field, trailing bytes, a length past the
 * end or over its cap, a non-finite real, invalid UTF-8 or rows that are not strictly increasing where SecureBoost
 * needs them throw a `VerticalWireError` naming the kind and field. Every array is checked against the bytes left
 * before it is allocated, and the result shares no memory with the input. Semantic checks (a row below the row
 * count, a host index that exists) stay with the protocol states. Encoding refuses what decoding would refuse.
 */
import { decodeAlignmentMessage, encodeAlignmentMessage } from '@tessera/psi';
import type { VerticalMessage } from './messages.js';

/**
 * Largest encoded message either side accepts (before sealing): the participant's sealed link's own cap. SecureBoost's
 * encrypted gradients take about 54 MB at 10^6 rows (a 430 kB ciphertext per 8192 rows) and an alignment message
 * 32 MB at 10^6 identifiers, so a 64 MiB cap would refuse real runs a little past that; decode takes a lower cap.
 */
export const WIRE_MAX_MESSAGE_BYTES = 512 * 1024 * 1024;
/** Most elements of a row list or other numeric array. */
export const WIRE_MAX_ROWS = 2 ** 26;
/** Most byte arrays (ciphertexts) in one list, and most entries of a short list such as the hosts' features. */
export const WIRE_MAX_CIPHERTEXTS = 2 ** 16;
/** Longest string (abort reason, split id, seed, modulus), in UTF-8 bytes. */
export const WIRE_MAX_STRING_BYTES = 2 ** 16;
/** Largest chunk the relay carries. */
export const WIRE_MAX_CHUNK_BYTES = 1024 * 1024;

type Kind = VerticalMessage['kind'];
type AlignmentKind = Extract<Kind, `psi-align/${string}`>;

const ALIGNMENT_TAG = 0x01;

/** The tag byte of each non-alignment kind (alignment messages all take `ALIGNMENT_TAG`). */
export const VERTICAL_WIRE_TAGS: Readonly<Record<Exclude<Kind, AlignmentKind>, number>> = Object.freeze({
  'vlr-host-hello': 0x10,
  'vlr-setup': 0x11,
  'vlr-score-share': 0x12,
  'vlr-guest-step': 0x13,
  'vlr-host-masked': 0x14,
  'vlr-masked-sums': 0x15,
  'host-hello': 0x20,
  'boost-setup': 0x21,
  'encrypted-gradients': 0x22,
  'histogram-request': 0x23,
  'encrypted-histogram': 0x24,
  'split-request': 0x25,
  'split-answer': 0x26,
  'score-query': 0x27,
  'score-answer': 0x28,
  'vertical/abort': 0x30,
  'vertical/partial-score-request': 0x31,
  'vertical/partial-scores': 0x32,
  'vertical/finished': 0x33,
});

const KIND_OF_TAG = new Map<number, Kind>(Object.entries(VERTICAL_WIRE_TAGS).map(([k, t]) => [t, k as Kind]));

/** A message that cannot be encoded or a byte string that is not an encoded message; names the kind and field. */
export class VerticalWireError extends Error {
  override readonly name = 'VerticalWireError';

  constructor(
    readonly kind: string,
    readonly field: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`vertical wire: ${kind}.${field}: ${detail}`, options);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const LONE_SURROGATE = /\p{Cs}/u;

/** Collects the parts of one message and joins them once (ciphertexts are copied exactly once). */
class Writer {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  constructor(private readonly kind: string) {}

  private fail(field: string, detail: string): never {
    throw new VerticalWireError(this.kind, field, detail);
  }

  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.length += part.length;
    if (this.length > WIRE_MAX_MESSAGE_BYTES) this.fail('(message)', `more than ${WIRE_MAX_MESSAGE_BYTES} bytes`);
  }

  private scalar(size: number, set: (view: DataView) => void): void {
    const part = new Uint8Array(size);
    set(new DataView(part.buffer));
    this.push(part);
  }

  tag(tag: number): void {
    this.push(Uint8Array.of(tag));
  }

  /** Bytes with no length in front (the rest of the message). */
  raw(part: Uint8Array): void {
    this.push(part);
  }

  u32(field: string, v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) this.fail(field, `${v} is not an integer in [0, 2^32)`);
    this.scalar(4, (d) => d.setUint32(0, v, true));
  }

  i32(field: string, v: number): void {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31)
      this.fail(field, `${v} is not an integer in [-2^31, 2^31)`);
    this.scalar(4, (d) => d.setInt32(0, v, true));
  }

  u64(field: string, v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) this.fail(field, `${v} is not a safe non-negative integer`);
    this.scalar(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }

  f64(field: string, v: number): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, `${v} is not a finite number`);
    this.scalar(8, (d) => d.setFloat64(0, v, true));
  }

  count(field: string, n: number, cap: number): void {
    if (n > cap) this.fail(field, `${n} entries is over the cap of ${cap}`);
    this.u32(field, n);
  }

  string(field: string, s: string): void {
    if (typeof s !== 'string') this.fail(field, 'not a string');
    if (LONE_SURROGATE.test(s)) this.fail(field, 'has a lone surrogate (not encodable as UTF-8)');
    const bytes = utf8Encoder.encode(s);
    this.count(field, bytes.length, WIRE_MAX_STRING_BYTES);
    this.push(bytes);
  }

  bytes(field: string, b: Uint8Array): void {
    if (!(b instanceof Uint8Array)) this.fail(field, 'not a Uint8Array');
    this.count(field, b.length, WIRE_MAX_MESSAGE_BYTES);
    this.push(b);
  }

  byteList(field: string, list: readonly Uint8Array[]): void {
    if (!Array.isArray(list)) this.fail(field, 'not an array');
    this.count(field, list.length, WIRE_MAX_CIPHERTEXTS);
    for (let i = 0; i < list.length; i++) this.bytes(`${field}[${i}]`, list[i]!);
  }

  u32List(field: string, list: readonly number[]): void {
    if (!Array.isArray(list)) this.fail(field, 'not an array');
    this.count(field, list.length, WIRE_MAX_CIPHERTEXTS);
    for (let i = 0; i < list.length; i++) this.u32(`${field}[${i}]`, list[i]!);
  }

  u64List(field: string, list: readonly number[]): void {
    if (!Array.isArray(list)) this.fail(field, 'not an array');
    this.count(field, list.length, WIRE_MAX_ROWS);
    for (let i = 0; i < list.length; i++) this.u64(`${field}[${i}]`, list[i]!);
  }

  rows(field: string, rows: Uint32Array, increasing: boolean): void {
    if (!(rows instanceof Uint32Array)) this.fail(field, 'not a Uint32Array');
    this.count(field, rows.length, WIRE_MAX_ROWS);
    if (increasing)
      for (let i = 1; i < rows.length; i++)
        if (rows[i]! <= rows[i - 1]!) this.fail(field, `rows must be strictly increasing (index ${i})`);
    if (LITTLE_ENDIAN) this.push(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
    else
      this.scalar(rows.byteLength, (d) => {
        for (let i = 0; i < rows.length; i++) d.setUint32(4 * i, rows[i]!, true);
      });
  }

  reals(field: string, values: Float64Array): void {
    if (!(values instanceof Float64Array)) this.fail(field, 'not a Float64Array');
    this.count(field, values.length, WIRE_MAX_ROWS);
    for (let i = 0; i < values.length; i++)
      if (!Number.isFinite(values[i]!)) this.fail(field, `element ${i} is ${values[i]}, not finite`);
    if (LITTLE_ENDIAN) this.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    else
      this.scalar(values.byteLength, (d) => {
        for (let i = 0; i < values.length; i++) d.setFloat64(8 * i, values[i]!, true);
      });
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Reads one message's fields off the input, refusing anything the input cannot back. */
class Reader {
  private readonly input: Uint8Array;
  private readonly view: DataView;
  private at = 1; // past the tag

  constructor(
    private readonly kind: string,
    input: Uint8Array,
  ) {
    // A plain view, so that slice() copies even when the caller passes a Buffer (whose slice() is a view).
    this.input = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  private fail(field: string, detail: string): never {
    throw new VerticalWireError(this.kind, field, detail);
  }

  private take(field: string, n: number): number {
    const left = this.input.length - this.at;
    if (n > left) this.fail(field, `needs ${n} bytes, ${left} left (truncated or a length past the end)`);
    const from = this.at;
    this.at += n;
    return from;
  }

  u32(field: string): number {
    return this.view.getUint32(this.take(field, 4), true);
  }

  i32(field: string): number {
    return this.view.getInt32(this.take(field, 4), true);
  }

  u64(field: string): number {
    const v = this.view.getBigUint64(this.take(field, 8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(field, `${v} is over 2^53 - 1`);
    return Number(v);
  }

  f64(field: string): number {
    const v = this.view.getFloat64(this.take(field, 8), true);
    if (!Number.isFinite(v)) this.fail(field, `${v} is not finite`);
    return v;
  }

  /** A count of items of at least `itemBytes` bytes each, checked against the cap and the bytes left. */
  count(field: string, cap: number, itemBytes: number): number {
    const n = this.u32(field);
    if (n > cap) this.fail(field, `${n} entries is over the cap of ${cap}`);
    const left = this.input.length - this.at;
    if (n * itemBytes > left) this.fail(field, `${n} entries need at least ${n * itemBytes} bytes, ${left} left`);
    return n;
  }

  string(field: string): string {
    const n = this.count(field, WIRE_MAX_STRING_BYTES, 1);
    const from = this.take(field, n);
    try {
      return utf8Decoder.decode(this.input.subarray(from, from + n));
    } catch (e) {
      throw new VerticalWireError(this.kind, field, 'is not valid UTF-8', { cause: e });
    }
  }

  bytes(field: string): Uint8Array {
    const n = this.count(field, WIRE_MAX_MESSAGE_BYTES, 1);
    const from = this.take(field, n);
    return this.input.slice(from, from + n); // a copy: the caller reuses its buffer
  }

  byteList(field: string): Uint8Array[] {
    const n = this.count(field, WIRE_MAX_CIPHERTEXTS, 4);
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) out.push(this.bytes(`${field}[${i}]`));
    return out;
  }

  u32List(field: string): number[] {
    const n = this.count(field, WIRE_MAX_CIPHERTEXTS, 4);
    return Array.from({ length: n }, (_, i) => this.u32(`${field}[${i}]`));
  }

  u64List(field: string): number[] {
    const n = this.count(field, WIRE_MAX_ROWS, 8);
    return Array.from({ length: n }, (_, i) => this.u64(`${field}[${i}]`));
  }

  rows(field: string, increasing: boolean): Uint32Array {
    const n = this.count(field, WIRE_MAX_ROWS, 4);
    const from = this.take(field, 4 * n);
    const out = new Uint32Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(this.input.subarray(from, from + 4 * n));
    else for (let i = 0; i < n; i++) out[i] = this.view.getUint32(from + 4 * i, true);
    if (increasing)
      for (let i = 1; i < n; i++)
        if (out[i]! <= out[i - 1]!) this.fail(field, `rows must be strictly increasing (index ${i})`);
    return out;
  }

  reals(field: string): Float64Array {
    const n = this.count(field, WIRE_MAX_ROWS, 8);
    const from = this.take(field, 8 * n);
    const out = new Float64Array(n);
    if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(this.input.subarray(from, from + 8 * n));
    else for (let i = 0; i < n; i++) out[i] = this.view.getFloat64(from + 8 * i, true);
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(out[i]!)) this.fail(field, `element ${i} is ${out[i]}, not finite`);
    return out;
  }

  end(): void {
    const left = this.input.length - this.at;
    if (left !== 0) this.fail('(end)', `${left} trailing bytes`);
  }
}

function kindOf(m: unknown): string {
  const kind = m !== null && typeof m === 'object' ? (m as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : String(kind);
}

/** The bytes of `m` (a fresh buffer), for sealing and relaying. Throws `VerticalWireError` on a malformed message. */
export function encodeVerticalMessage(m: VerticalMessage): Uint8Array {
  if (m === null || typeof m !== 'object') throw new VerticalWireError(String(m), '(message)', 'not an object');
  const w = new Writer(kindOf(m));
  switch (m.kind) {
    case 'psi-align/blinded':
    case 'psi-align/reblinded':
    case 'psi-align/confirmation': {
      let inner: Uint8Array;
      try {
        inner = encodeAlignmentMessage(m);
      } catch (e) {
        throw new VerticalWireError(m.kind, '(message)', e instanceof Error ? e.message : String(e), { cause: e });
      }
      w.tag(ALIGNMENT_TAG);
      w.raw(inner);
      break;
    }
    case 'vlr-host-hello':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('host', m.host);
      w.u32('rows', m.rows);
      w.u32('features', m.features);
      break;
    case 'vlr-setup':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('host', m.host);
      w.u32('params.polyModulusDegree', m.params.polyModulusDegree);
      w.u64('params.plainModulus', m.params.plainModulus);
      w.bytes('publicKey', m.publicKey);
      w.u32('rows', m.rows);
      w.u32List('hostFeatures', m.hostFeatures);
      w.u32('guestColumns', m.guestColumns);
      w.u32('schedule.epochs', m.schedule.epochs);
      w.u32('schedule.batchSize', m.schedule.batchSize);
      w.f64('schedule.learningRate', m.schedule.learningRate);
      w.f64('schedule.l2', m.schedule.l2);
      w.string('schedule.shuffleSeed', m.schedule.shuffleSeed);
      w.u32('fixedPoint.residualBits', m.fixedPoint.residualBits);
      w.u32('fixedPoint.featureBits', m.fixedPoint.featureBits);
      break;
    case 'vlr-score-share':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('step', m.step);
      w.u32('from', m.from);
      w.u32('to', m.to);
      w.byteList('chunks', m.chunks);
      break;
    case 'vlr-guest-step':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('step', m.step);
      w.u32('host', m.host);
      w.u32('rows', m.rows);
      w.byteList('residual', m.residual);
      w.byteList('guestFeatures', m.guestFeatures);
      break;
    case 'vlr-host-masked':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('step', m.step);
      w.u32('host', m.host);
      w.byteList('gradient', m.gradient);
      w.byteList('guestTerm', m.guestTerm);
      break;
    case 'vlr-masked-sums':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('step', m.step);
      w.u32('host', m.host);
      w.u64List('sums', m.sums);
      break;
    case 'host-hello':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('host', m.host);
      w.u32('features', m.features);
      break;
    case 'boost-setup':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('params.polyModulusDegree', m.params.polyModulusDegree);
      w.string('params.plainModulus', m.params.plainModulus);
      w.u32('params.classes', m.params.classes);
      w.u32('params.binSlots', m.params.binSlots);
      w.bytes('galoisKey', m.galoisKey);
      w.u32('bins', m.bins);
      w.u32('rows', m.rows);
      break;
    case 'encrypted-gradients':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('tree', m.tree);
      w.byteList('ciphertexts', m.ciphertexts);
      break;
    case 'histogram-request':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('tree', m.tree);
      w.i32('node', m.node);
      w.rows('rows', m.rows, true);
      break;
    case 'encrypted-histogram':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('host', m.host);
      w.u32('tree', m.tree);
      w.i32('node', m.node);
      w.byteList('groups', m.groups);
      break;
    case 'split-request':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('tree', m.tree);
      w.i32('node', m.node);
      w.u32('feature', m.feature);
      w.u32('bin', m.bin);
      w.rows('rows', m.rows, true);
      break;
    case 'split-answer':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.u32('host', m.host);
      w.string('split', m.split);
      w.rows('left', m.left, true);
      break;
    case 'score-query':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.string('split', m.split);
      w.rows('rows', m.rows, true);
      break;
    case 'score-answer':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.rows('left', m.left, true);
      break;
    case 'vertical/abort':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.string('reason', m.reason);
      break;
    case 'vertical/partial-score-request':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.rows('rows', m.rows, false);
      break;
    case 'vertical/partial-scores':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      w.reals('scores', m.scores);
      break;
    case 'vertical/finished':
      w.tag(VERTICAL_WIRE_TAGS[m.kind]);
      break;
    default: {
      const unknown: never = m;
      throw new VerticalWireError(kindOf(unknown), 'kind', 'not a vertical message kind');
    }
  }
  return w.finish();
}

export interface VerticalDecodeOptions {
  /** Refuse inputs longer than this (default and most `WIRE_MAX_MESSAGE_BYTES`). */
  readonly maxBytes?: number;
}

/**
 * The message in `bytes` (an output of `encodeVerticalMessage`), sharing no memory with `bytes`. Throws a
 * `VerticalWireError` naming the kind and field on anything else.
 */
export function decodeVerticalMessage(bytes: Uint8Array, options: VerticalDecodeOptions = {}): VerticalMessage {
  const maxBytes = Math.min(options.maxBytes ?? WIRE_MAX_MESSAGE_BYTES, WIRE_MAX_MESSAGE_BYTES);
  if (!(bytes instanceof Uint8Array)) throw new VerticalWireError('(unknown)', '(message)', 'not a Uint8Array');
  if (bytes.length === 0) throw new VerticalWireError('(unknown)', 'tag', 'empty input');
  if (!(bytes.length <= maxBytes))
    throw new VerticalWireError('(unknown)', '(message)', `${bytes.length} bytes is over the cap of ${maxBytes}`);
  const tag = bytes[0]!;
  if (tag === ALIGNMENT_TAG) {
    try {
      return decodeAlignmentMessage(bytes.subarray(1)); // copies the points and digest out
    } catch (e) {
      throw new VerticalWireError('psi-align', '(message)', e instanceof Error ? e.message : String(e), { cause: e });
    }
  }
  const kind = KIND_OF_TAG.get(tag);
  if (kind === undefined)
    throw new VerticalWireError('(unknown)', 'tag', `unknown tag 0x${tag.toString(16).padStart(2, '0')}`);
  const r = new Reader(kind, bytes);
  const m = decodeBody(kind, r);
  r.end();
  return m;
}

function decodeBody(kind: Kind, r: Reader): VerticalMessage {
  switch (kind) {
    case 'vlr-host-hello':
      return { kind, host: r.u32('host'), rows: r.u32('rows'), features: r.u32('features') };
    case 'vlr-setup': {
      const host = r.u32('host');
      const params = {
        polyModulusDegree: r.u32('params.polyModulusDegree'),
        plainModulus: r.u64('params.plainModulus'),
      };
      const publicKey = r.bytes('publicKey');
      const rows = r.u32('rows');
      const hostFeatures = r.u32List('hostFeatures');
      const guestColumns = r.u32('guestColumns');
      const schedule = {
        epochs: r.u32('schedule.epochs'),
        batchSize: r.u32('schedule.batchSize'),
        learningRate: r.f64('schedule.learningRate'),
        l2: r.f64('schedule.l2'),
        shuffleSeed: r.string('schedule.shuffleSeed'),
      };
      const fixedPoint = {
        residualBits: r.u32('fixedPoint.residualBits'),
        featureBits: r.u32('fixedPoint.featureBits'),
      };
      return { kind, host, params, publicKey, rows, hostFeatures, guestColumns, schedule, fixedPoint };
    }
    case 'vlr-score-share':
      return { kind, step: r.u32('step'), from: r.u32('from'), to: r.u32('to'), chunks: r.byteList('chunks') };
    case 'vlr-guest-step':
      return {
        kind,
        step: r.u32('step'),
        host: r.u32('host'),
        rows: r.u32('rows'),
        residual: r.byteList('residual'),
        guestFeatures: r.byteList('guestFeatures'),
      };
    case 'vlr-host-masked':
      return {
        kind,
        step: r.u32('step'),
        host: r.u32('host'),
        gradient: r.byteList('gradient'),
        guestTerm: r.byteList('guestTerm'),
      };
    case 'vlr-masked-sums':
      return { kind, step: r.u32('step'), host: r.u32('host'), sums: r.u64List('sums') };
    case 'host-hello':
      return { kind, host: r.u32('host'), features: r.u32('features') };
    case 'boost-setup': {
      const params = {
        polyModulusDegree: r.u32('params.polyModulusDegree'),
        plainModulus: r.string('params.plainModulus'),
        classes: r.u32('params.classes'),
        binSlots: r.u32('params.binSlots'),
      };
      return { kind, params, galoisKey: r.bytes('galoisKey'), bins: r.u32('bins'), rows: r.u32('rows') };
    }
    case 'encrypted-gradients':
      return { kind, tree: r.u32('tree'), ciphertexts: r.byteList('ciphertexts') };
    case 'histogram-request':
      return { kind, tree: r.u32('tree'), node: r.i32('node'), rows: r.rows('rows', true) };
    case 'encrypted-histogram':
      return { kind, host: r.u32('host'), tree: r.u32('tree'), node: r.i32('node'), groups: r.byteList('groups') };
    case 'split-request':
      return {
        kind,
        tree: r.u32('tree'),
        node: r.i32('node'),
        feature: r.u32('feature'),
        bin: r.u32('bin'),
        rows: r.rows('rows', true),
      };
    case 'split-answer':
      return { kind, host: r.u32('host'), split: r.string('split'), left: r.rows('left', true) };
    case 'score-query':
      return { kind, split: r.string('split'), rows: r.rows('rows', true) };
    case 'score-answer':
      return { kind, left: r.rows('left', true) };
    case 'vertical/abort':
      return { kind, reason: r.string('reason') };
    case 'vertical/partial-score-request':
      return { kind, rows: r.rows('rows', false) };
    case 'vertical/partial-scores':
      return { kind, scores: r.reals('scores') };
    case 'vertical/finished':
      return { kind };
    default:
      throw new VerticalWireError(kind, 'tag', 'no decoder for this kind'); // alignment kinds are handled above
  }
}

/**
 * `bytes` cut into consecutive views of at most `maxChunk` bytes (all but the last exactly `maxChunk`); an empty
 * input is one empty chunk. The views share `bytes`' memory; send them with their index and the total.
 */
export function chunkBytes(bytes: Uint8Array, maxChunk = WIRE_MAX_CHUNK_BYTES): Uint8Array[] {
  if (!Number.isSafeInteger(maxChunk) || maxChunk < 1) throw new RangeError(`maxChunk must be a positive integer`);
  if (bytes.length === 0) return [bytes.subarray(0, 0)];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += maxChunk)
    out.push(bytes.subarray(at, Math.min(at + maxChunk, bytes.length)));
  return out;
}

export interface ReassemblerOptions {
  /** Largest chunk accepted (default 1 MiB). */
  readonly maxChunk?: number;
  /** Largest whole message accepted (default `WIRE_MAX_MESSAGE_BYTES`). */
  readonly maxBytes?: number;
}

/**
 * Joins the chunks of one message at a time, as `chunkBytes` cut them: `push(chunk, index, total)` with index
 * 0, 1, ..., total - 1 in order returns undefined until the last chunk, then the whole message (a fresh buffer).
 * It refuses, with an Error, a chunk out of order, a total that changes or whose chunks could not fit
 * `maxBytes`, an empty chunk in a message of several, a chunk over `maxChunk`, or a message over `maxBytes`; a
 * refusal drops the partial message, and the next message starts again at index 0.
 */
export class Reassembler {
  private readonly maxChunk: number;
  private readonly maxBytes: number;
  private chunks: Uint8Array[] = [];
  private total = 0;
  private length = 0;

  constructor(options: ReassemblerOptions = {}) {
    this.maxChunk = options.maxChunk ?? WIRE_MAX_CHUNK_BYTES;
    this.maxBytes = options.maxBytes ?? WIRE_MAX_MESSAGE_BYTES;
    if (!Number.isSafeInteger(this.maxChunk) || this.maxChunk < 1)
      throw new RangeError('maxChunk must be a positive integer');
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 0)
      throw new RangeError('maxBytes must be a non-negative integer');
  }

  /** Whether a message is partly received. */
  get pending(): boolean {
    return this.chunks.length > 0;
  }

  private refuse(detail: string): never {
    this.chunks = [];
    this.total = 0;
    this.length = 0;
    throw new Error(`vertical wire: chunk refused: ${detail}`);
  }

  push(chunk: Uint8Array, index: number, total: number): Uint8Array | undefined {
    if (!(chunk instanceof Uint8Array)) this.refuse('not a Uint8Array');
    const maxTotal = Math.max(1, Math.ceil(this.maxBytes / this.maxChunk));
    if (!Number.isSafeInteger(total) || total < 1 || total > maxTotal)
      this.refuse(`total ${total} is not in [1, ${maxTotal}]`);
    const expected = this.chunks.length;
    if (index !== expected) this.refuse(`chunk ${index} arrived where chunk ${expected} was due`);
    if (expected > 0 && total !== this.total) this.refuse(`total changed from ${this.total} to ${total}`);
    if (chunk.length > this.maxChunk) this.refuse(`chunk of ${chunk.length} bytes is over ${this.maxChunk}`);
    if (chunk.length === 0 && total > 1) this.refuse(`empty chunk ${index} of ${total}`);
    if (this.length + chunk.length > this.maxBytes) this.refuse(`message is over ${this.maxBytes} bytes`);
    this.chunks.push(new Uint8Array(chunk)); // a copy (even of a Buffer): the caller reuses its buffer
    this.total = total;
    this.length += chunk.length;
    if (this.chunks.length < total) return undefined;
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [];
    this.total = 0;
    this.length = 0;
    return out;
  }
}
