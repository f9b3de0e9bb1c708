// The vertical byte codec: every message kind of real runs survives encode/decode exactly, the decoder refuses
// truncated, padded, mistagged, over-cap and random input with a VerticalWireError, and chunks reassemble.
import { randomBytes, randomInt } from 'node:crypto';
import { psiReady, startAlignment } from '@tessera/psi';
import {
  SecureBoostHostScorer,
  scoreSecureBoost,
  trainSecureBoost,
  trainVerticalLogistic,
  type VlrSchedule,
} from '@tessera/vertical';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VerticalMessage } from '../src/party/messages.js';
import {
  chunkBytes,
  decodeVerticalMessage,
  encodeVerticalMessage,
  WIRE_MAX_CHUNK_BYTES,
  WIRE_MAX_MESSAGE_BYTES,
  WIRE_MAX_ROWS,
  Reassembler,
  VERTICAL_WIRE_TAGS,
  VerticalWireError,
} from '../src/party/wire.js';

/** A deterministic column of `n` values in [-1, 1) (not secret: test data). */
function column(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function rowMajor(columns: readonly Float64Array[], n: number): Float64Array {
  const x = new Float64Array(n * columns.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < columns.length; j++) x[i * columns.length + j] = columns[j]![i]!;
  return x;
}

async function alignmentMessages(): Promise<VerticalMessage[]> {
  await psiReady();
  const salt = randomBytes(32);
  const a = Array.from({ length: 12 }, (_, i) => `customer-${i}`);
  const b = Array.from({ length: 10 }, (_, i) => `customer-${i + 5}`);
  const common = { salt, maxPeerSetSize: 12, session: 'wire-test-session' };
  const [i1, r1] = await Promise.all([
    startAlignment(a, { ...common, role: 'initiator' }),
    startAlignment(b, { ...common, role: 'responder' }),
  ]);
  const [i2, r2] = await Promise.all([i1.stage.receive(r1.message), r1.stage.receive(i1.message)]);
  const i3 = i2.stage.finish(r2.message);
  const r3 = r2.stage.finish(i2.message);
  i3.stage.confirm(r3.message);
  return [i1.message, r1.message, i2.message, r2.message, i3.message, r3.message];
}

async function logisticMessages(): Promise<VerticalMessage[]> {
  const n = 24;
  const guestColumns = [column(n, 1), column(n, 2)];
  const y = Float64Array.from(guestColumns[0]!, (v, i) => (v + 0.3 * guestColumns[1]![i]! > 0 ? 1 : 0));
  const host = (seed: number) => ({ x: rowMajor([column(n, seed), column(n, seed + 1)], n), n, d: 2 });
  const schedule: VlrSchedule = { epochs: 1, batchSize: 12, learningRate: 0.5, l2: 1e-3, shuffleSeed: 'wire' };
  const seen: VerticalMessage[] = [];
  await trainVerticalLogistic({
    guest: { x: rowMajor(guestColumns, n), n, d: 2, y },
    hosts: [host(10), host(20)], // two hosts, so that score shares flow between them
    schedule,
    observe: (_to, m) => seen.push(m),
  });
  return seen;
}

async function boostMessages(): Promise<VerticalMessage[]> {
  const n = 48;
  const guestFeatures = [column(n, 3), column(n, 4)];
  const hostFeatures = [column(n, 5), column(n, 6), column(n, 7)];
  const labels = Float64Array.from(hostFeatures[0]!, (v, i) => (v + 0.5 * guestFeatures[0]![i]! > 0 ? 1 : 0));
  const result = await trainSecureBoost({
    guestFeatures,
    labels,
    hostFeatures: [hostFeatures],
    config: { trees: 2, depth: 2, bins: 4, learningRate: 0.3, lambda: 1, minChildWeight: 0 },
    classes: 8,
  });
  const seen: VerticalMessage[] = result.transcript.map((e) => e.message as VerticalMessage);
  const scorer = new SecureBoostHostScorer(result.hostModels[0]!, hostFeatures);
  const link = {
    score: (q: Parameters<SecureBoostHostScorer['score']>[0]) => {
      const answer = scorer.score(q);
      seen.push(q, answer);
      return answer;
    },
  };
  await scoreSecureBoost(result.guestModel, guestFeatures, [link], n);
  return seen;
}

function partyMessages(): VerticalMessage[] {
  return [
    { kind: 'vertical/abort', reason: 'minimum overlap not met — 12 < 100 (ünïcödé, 😀)' },
    { kind: 'vertical/abort', reason: '' },
    { kind: 'vertical/partial-score-request', rows: Uint32Array.of(7, 3, 0, 4_000_000_000) },
    { kind: 'vertical/partial-score-request', rows: new Uint32Array(0) },
    { kind: 'vertical/partial-scores', scores: Float64Array.of(0.25, -0, -1e300, 5e-324, Math.PI) },
    { kind: 'vertical/finished' },
  ];
}

/** Small hand-built messages of the kinds whose real instances carry large keys or ciphertexts. */
function smallMessages(): VerticalMessage[] {
  return [
    { kind: 'vlr-host-hello', host: 1, rows: 569, features: 20 },
    {
      kind: 'vlr-setup',
      host: 2,
      params: { polyModulusDegree: 8192, plainModulus: 1125899906826241 },
      publicKey: Uint8Array.of(1, 2, 3, 4, 5),
      rows: 455,
      hostFeatures: [20, 3, 7],
      guestColumns: 11,
      schedule: { epochs: 5, batchSize: 64, learningRate: 0.5, l2: 1e-4, shuffleSeed: 'seed' },
      fixedPoint: { residualBits: 12, featureBits: 11 },
    },
    { kind: 'vlr-masked-sums', step: 3, host: 0, sums: [0, 1, 2 ** 50 - 1, Number.MAX_SAFE_INTEGER] },
    { kind: 'vlr-score-share', step: 1, from: 0, to: 1, chunks: [Uint8Array.of(9), new Uint8Array(0)] },
    { kind: 'encrypted-histogram', host: 0, tree: 1, node: 5, groups: [Uint8Array.of(1, 2), Uint8Array.of(3)] },
    { kind: 'split-answer', host: 0, split: 'a1b2c3d4e5f6a7b8c9d0e1f2', left: Uint32Array.of(1, 5, 9) },
    { kind: 'split-request', tree: 0, node: 2, feature: 1, bin: 3, rows: Uint32Array.of(0, 2, 4, 6) },
    ...partyMessages(),
  ];
}

/**
 * Deep equality that compares typed arrays by element type and bytes (fast on megabytes, unlike toEqual) and treats
 * a Buffer as the Uint8Array it is (psi's own messages carry Buffers; decoded ones plain Uint8Arrays).
 */
function expectSame(actual: unknown, expected: unknown, path: string): void {
  if (ArrayBuffer.isView(expected)) {
    expect(ArrayBuffer.isView(actual), path).toBe(true);
    const a = actual as ArrayBufferView;
    expect(Object.prototype.toString.call(a), path).toBe(Object.prototype.toString.call(expected));
    const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    expect(bytes(a).equals(bytes(expected)), path).toBe(true);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((v, i) => expectSame((actual as unknown[])[i], v, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    expect(actual !== null && typeof actual === 'object' && !Array.isArray(actual), path).toBe(true);
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectSame((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else expect(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`).toBe(true);
}

function expectWireError(f: () => unknown, pattern?: RegExp): VerticalWireError {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(VerticalWireError);
  if (pattern) expect((thrown as Error).message).toMatch(pattern);
  return thrown as VerticalWireError;
}

const ALIGNMENT_KINDS = ['psi-align/blinded', 'psi-align/reblinded', 'psi-align/confirmation'];
const ALL_KINDS = [...ALIGNMENT_KINDS, ...Object.keys(VERTICAL_WIRE_TAGS)];

const real: VerticalMessage[] = [];

beforeAll(async () => {
  real.push(...(await alignmentMessages()), ...(await logisticMessages()), ...(await boostMessages()));
  real.push(...partyMessages());
}, 120_000);

describe('vertical wire codec', () => {
  it('round-trips every message of real runs exactly, every kind covered', () => {
    expect(new Set(real.map((m) => m.kind))).toEqual(new Set(ALL_KINDS));
    for (const m of real) {
      const bytes = encodeVerticalMessage(m);
      const back = decodeVerticalMessage(bytes);
      expectSame(back, m, m.kind);
      expect(Buffer.from(encodeVerticalMessage(back)).equals(bytes), m.kind).toBe(true); // one encoding per message
    }
  });

  it('is compact: ciphertexts and rows are carried raw with a few bytes of framing', () => {
    for (const m of real) {
      let payload = 0;
      for (const v of Object.values(m))
        if (v instanceof Uint8Array || v instanceof Uint32Array || v instanceof Float64Array) payload += v.byteLength;
        else if (Array.isArray(v) && v[0] instanceof Uint8Array)
          payload += (v as Uint8Array[]).reduce((s, b) => s + b.byteLength, 0);
      expect(encodeVerticalMessage(m).length - payload, m.kind).toBeLessThan(m.kind === 'vlr-setup' ? 96 : 80);
    }
    const step = real.find((m) => m.kind === 'vlr-guest-step')!;
    expect(encodeVerticalMessage(step).length).toBeGreaterThan(200_000);
    // Figures: the largest encoding of each kind, and the codec's speed on the largest message.
    const largest = new Map<string, number>();
    for (const m of real) largest.set(m.kind, Math.max(largest.get(m.kind) ?? 0, encodeVerticalMessage(m).length));
    const biggest = real.reduce((a, b) => (encodeVerticalMessage(b).length > encodeVerticalMessage(a).length ? b : a));
    const t0 = performance.now();
    const bytes = encodeVerticalMessage(biggest);
    const t1 = performance.now();
    decodeVerticalMessage(bytes);
    const t2 = performance.now();
    console.log(
      JSON.stringify({
        largestBytes: Object.fromEntries(largest),
        speed: { kind: biggest.kind, bytes: bytes.length, encodeMs: t1 - t0, decodeMs: t2 - t1 },
      }),
    );
  });

  it('decodes into fresh memory: reusing the input buffer changes nothing', () => {
    for (const m of [...real, ...smallMessages()]) {
      const bytes = encodeVerticalMessage(m);
      const back = decodeVerticalMessage(bytes);
      bytes.fill(0xa5);
      expectSame(back, m, m.kind);
    }
    // The same from a Buffer (whose slice() is a view, not a copy), as the participant's link passes.
    for (const m of [...real, ...smallMessages()]) {
      const bytes = Buffer.from(encodeVerticalMessage(m));
      const back = decodeVerticalMessage(bytes);
      bytes.fill(0x5a);
      expectSame(back, m, m.kind);
    }
    // Also from a view at an odd offset of a larger buffer (unaligned typed arrays).
    const m = smallMessages().find((x) => x.kind === 'vertical/partial-scores')!;
    const bytes = encodeVerticalMessage(m);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expectSame(decodeVerticalMessage(big.subarray(3)), m, m.kind);
  });

  it('refuses every truncation and any trailing byte, naming the kind', () => {
    const alignment = real.filter((m) => m.kind === 'psi-align/confirmation' || m.kind === 'psi-align/blinded');
    const small = real.filter((m) =>
      ['host-hello', 'histogram-request', 'split-answer', 'score-answer'].includes(m.kind),
    );
    const cases = [...smallMessages(), ...alignment, ...small.slice(0, 8)];
    for (const m of cases) {
      const bytes = encodeVerticalMessage(m);
      const name = m.kind.startsWith('psi-align/') ? 'psi-align' : m.kind;
      for (let cut = 0; cut < bytes.length; cut++)
        expectWireError(() => decodeVerticalMessage(bytes.subarray(0, cut)), cut === 0 ? /empty/ : new RegExp(name));
      const padded = new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      expectWireError(() => decodeVerticalMessage(padded), new RegExp(name));
    }
  });

  it('refuses unknown tags', () => {
    const known = new Set([0x01, ...Object.values(VERTICAL_WIRE_TAGS)]);
    const body = encodeVerticalMessage({ kind: 'host-hello', host: 0, features: 3 }).subarray(1);
    for (let tag = 0; tag < 256; tag++) {
      if (known.has(tag)) continue;
      const bytes = new Uint8Array([tag, ...body]);
      expectWireError(() => decodeVerticalMessage(bytes), /\(unknown\)\.tag: unknown tag/);
    }
    expect(known.size).toBe(Object.keys(VERTICAL_WIRE_TAGS).length + 1); // distinct tags
  });

  it('refuses bad fields by name: caps, lengths past the end, non-finite reals, unsorted rows, bad UTF-8', () => {
    const le32 = (v: number) => new Uint8Array(Uint32Array.of(v).buffer);
    const tag = VERTICAL_WIRE_TAGS;
    // A row count over the cap, then a count the remaining bytes cannot back: refused before allocating.
    const rowsHeader = [tag['histogram-request'], ...le32(0), ...le32(1)];
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([...rowsHeader, ...le32(WIRE_MAX_ROWS + 1)])),
      /histogram-request\.rows: .* over the cap/,
    );
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([...rowsHeader, ...le32(WIRE_MAX_ROWS), 1, 2, 3, 4])),
      /histogram-request\.rows: .* need at least/,
    );
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([...rowsHeader, ...le32(3), ...le32(1), ...le32(5), ...le32(5)])),
      /histogram-request\.rows: rows must be strictly increasing/,
    );
    // Ciphertext counts over 2^16, and a ciphertext length past the end.
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([tag['encrypted-gradients'], ...le32(0), ...le32(2 ** 16 + 1)])),
      /encrypted-gradients\.ciphertexts: .* over the cap/,
    );
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([tag['encrypted-gradients'], ...le32(0), ...le32(1), ...le32(9), 1])),
      /encrypted-gradients\.ciphertexts\[0\]/,
    );
    // Non-finite reals.
    const scores = encodeVerticalMessage({ kind: 'vertical/partial-scores', scores: Float64Array.of(1, 2) });
    new DataView(scores.buffer).setFloat64(5 + 8, Number.NaN, true);
    expectWireError(() => decodeVerticalMessage(scores), /vertical\/partial-scores\.scores: element 1 is NaN/);
    const setup = smallMessages().find((m) => m.kind === 'vlr-setup')!;
    const setupBytes = encodeVerticalMessage(setup);
    const lr = Buffer.from(setupBytes).indexOf(Buffer.from(Float64Array.of(0.5).buffer));
    new DataView(setupBytes.buffer).setFloat64(lr, Number.POSITIVE_INFINITY, true);
    expectWireError(() => decodeVerticalMessage(setupBytes), /vlr-setup\.schedule\.learningRate: Infinity/);
    // A masked sum over 2^53 - 1 would lose exactness.
    const sums = encodeVerticalMessage({ kind: 'vlr-masked-sums', step: 0, host: 0, sums: [1] });
    new DataView(sums.buffer).setBigUint64(13, 2n ** 53n, true);
    expectWireError(() => decodeVerticalMessage(sums), /vlr-masked-sums\.sums\[0\]: 9007199254740992 is over/);
    // Strings: invalid UTF-8, and a length over the cap.
    const abort = [tag['vertical/abort'], ...le32(2), 0xc3, 0x28];
    expectWireError(() => decodeVerticalMessage(new Uint8Array(abort)), /vertical\/abort\.reason: is not valid UTF-8/);
    expectWireError(
      () => decodeVerticalMessage(new Uint8Array([tag['vertical/abort'], ...le32(2 ** 16 + 1)])),
      /vertical\/abort\.reason: .* over the cap/,
    );
    // Inputs over the total cap are refused before reading them.
    const hello = encodeVerticalMessage({ kind: 'host-hello', host: 0, features: 3 });
    expectWireError(() => decodeVerticalMessage(hello, { maxBytes: hello.length - 1 }), /over the cap of 8/);
    expect(decodeVerticalMessage(hello, { maxBytes: hello.length }).kind).toBe('host-hello');
    expect(WIRE_MAX_MESSAGE_BYTES).toBe(512 * 1024 * 1024); // the participant's sealed link's cap
    // Alignment errors come through as wire errors too.
    expectWireError(() => decodeVerticalMessage(Uint8Array.of(0x01, 9, 9, 9)), /psi-align/);
  });

  it('refuses to encode what it could not decode', () => {
    const hello = { kind: 'host-hello', host: 0, features: 3 } as const;
    expectWireError(() => encodeVerticalMessage({ ...hello, features: 1.5 }), /host-hello\.features/);
    expectWireError(() => encodeVerticalMessage({ ...hello, host: -1 }), /host-hello\.host/);
    expectWireError(() => encodeVerticalMessage({ ...hello, host: 2 ** 32 }), /host-hello\.host/);
    const setup = smallMessages().find((m) => m.kind === 'vlr-setup')!;
    if (setup.kind !== 'vlr-setup') throw new Error('unreachable');
    expectWireError(
      () => encodeVerticalMessage({ ...setup, schedule: { ...setup.schedule, l2: Number.NaN } }),
      /vlr-setup\.schedule\.l2/,
    );
    expectWireError(
      () => encodeVerticalMessage({ ...setup, params: { ...setup.params, plainModulus: 2 ** 60 } }),
      /vlr-setup\.params\.plainModulus/,
    );
    expectWireError(
      () => encodeVerticalMessage({ kind: 'score-answer', left: Uint32Array.of(4, 2) }),
      /score-answer\.left: rows must be strictly increasing/,
    );
    expectWireError(
      () => encodeVerticalMessage({ kind: 'score-answer', left: [1, 2] as unknown as Uint32Array }),
      /score-answer\.left: not a Uint32Array/,
    );
    expectWireError(
      () => encodeVerticalMessage({ kind: 'vertical/partial-scores', scores: Float64Array.of(Number.NaN) }),
      /vertical\/partial-scores\.scores/,
    );
    expectWireError(() => encodeVerticalMessage({ kind: 'vertical/abort', reason: 'x'.repeat(2 ** 16 + 1) }), /cap/);
    expectWireError(() => encodeVerticalMessage({ kind: 'vertical/abort', reason: '\ud800' }), /lone surrogate/);
    expectWireError(
      () => encodeVerticalMessage({ kind: 'no-such-kind' } as unknown as VerticalMessage),
      /no-such-kind/,
    );
  });

  it('never throws anything but a VerticalWireError on random or mutated input, and never hangs', () => {
    const tags = [0x01, ...Object.values(VERTICAL_WIRE_TAGS)];
    const seeds = [...smallMessages(), ...real.filter((m) => !m.kind.startsWith('vlr-') && m.kind !== 'boost-setup')]
      .map((m) => encodeVerticalMessage(m))
      .filter((b) => b.length < 4096);
    let decoded = 0;
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      let input: Uint8Array;
      if (i % 2 === 0) {
        input = randomBytes(randomInt(0, 96));
        if (input.length > 0 && i % 4 === 0) input[0] = tags[randomInt(tags.length)]!;
      } else {
        const seed = seeds[randomInt(seeds.length)]!;
        input = new Uint8Array(seed.length + (i % 3 === 0 ? randomInt(0, 8) : 0));
        input.set(seed);
        for (let k = randomInt(1, 4); k > 0; k--) input[randomInt(input.length)] = randomInt(256);
        if (i % 5 === 0) input = input.subarray(0, randomInt(input.length + 1));
      }
      let m: VerticalMessage;
      try {
        m = decodeVerticalMessage(input);
      } catch (e) {
        expect(e).toBeInstanceOf(VerticalWireError);
        continue;
      }
      decoded++;
      // Whatever decodes re-encodes to the same bytes (alignment sessions excepted: psi decodes UTF-8 leniently).
      if (input[0] !== 0x01) expect(encodeVerticalMessage(m)).toEqual(new Uint8Array(input));
    }
    expect(decoded).toBeGreaterThan(100); // the mutations do reach whole messages
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('chunking', () => {
  const sizes = (max: number) => [0, 1, max - 1, max, max + 1, 2 * max - 1, 2 * max, 2 * max + 1, 5 * max + 3];

  it('cuts at most maxChunk bytes per chunk and reassembles exactly, around the boundary', () => {
    for (const max of [1, 7, 16, WIRE_MAX_CHUNK_BYTES]) {
      for (const n of sizes(max)) {
        const bytes = randomBytes(n);
        const chunks = max === WIRE_MAX_CHUNK_BYTES ? chunkBytes(bytes) : chunkBytes(bytes, max);
        expect(chunks.length, `${n}/${max}`).toBe(Math.max(1, Math.ceil(n / max)));
        for (const c of chunks.slice(0, -1)) expect(c.length).toBe(max);
        expect(chunks.at(-1)!.length).toBeLessThanOrEqual(max);
        const r = new Reassembler({ maxChunk: max, maxBytes: 6 * max + 8 });
        let whole: Uint8Array | undefined;
        chunks.forEach((c, i) => {
          const scratch = Buffer.from(c); // the relay reuses its receive buffer (a Buffer: slice() is a view)
          const out = r.push(scratch, i, chunks.length);
          scratch.fill(0);
          if (i < chunks.length - 1) expect(out).toBeUndefined();
          else whole = out;
        });
        expect(Buffer.from(whole!).equals(bytes), `${n}/${max}`).toBe(true);
        expect(r.pending).toBe(false);
      }
    }
  });

  it('carries real multi-megabyte messages through 1 MiB chunks', () => {
    const big = real.filter((m) => encodeVerticalMessage(m).length > WIRE_MAX_CHUNK_BYTES);
    expect(big.length).toBeGreaterThan(0);
    const r = new Reassembler();
    for (const m of big) {
      const chunks = chunkBytes(encodeVerticalMessage(m));
      const outs = chunks.map((c, i) => r.push(c, i, chunks.length));
      expect(outs.slice(0, -1).every((o) => o === undefined)).toBe(true);
      expectSame(decodeVerticalMessage(outs.at(-1)!), m, m.kind);
    }
  });

  it('refuses chunks out of order, a changing total, oversized chunks and messages, then starts afresh', () => {
    const r = new Reassembler({ maxChunk: 4, maxBytes: 10 });
    const c = Uint8Array.of(1, 2, 3, 4);
    expect(() => r.push(c, 1, 2)).toThrow(/chunk 1 arrived where chunk 0 was due/);
    r.push(c, 0, 3);
    expect(() => r.push(c, 0, 3)).toThrow(/chunk 0 arrived where chunk 1 was due/); // a replay
    expect(r.pending).toBe(false); // the refusal dropped the partial message
    r.push(c, 0, 3);
    expect(() => r.push(c, 1, 2)).toThrow(/total changed/);
    expect(() => r.push(Uint8Array.of(1, 2, 3, 4, 5), 0, 2)).toThrow(/over 4/);
    expect(() => r.push(c, 0, 4)).toThrow(/total 4 is not in \[1, 3\]/);
    expect(() => r.push(c, 0, 0)).toThrow(/total 0/);
    expect(() => r.push(c, 0, 1.5)).toThrow(/total 1.5/);
    r.push(c, 0, 3);
    r.push(c, 1, 3);
    expect(() => r.push(c, 2, 3)).toThrow(/over 10 bytes/);
    expect(() => r.push(new Uint8Array(0), 0, 2)).toThrow(/empty chunk/);
    expect(r.push(new Uint8Array(0), 0, 1)).toEqual(new Uint8Array(0));
    expect(r.push(c, 0, 2)).toBeUndefined();
    expect(r.push(Uint8Array.of(9), 1, 2)).toEqual(Uint8Array.of(1, 2, 3, 4, 9));
    expect(() => chunkBytes(c, 0)).toThrow(RangeError);
  });
});
