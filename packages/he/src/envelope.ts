/**
 * The byte format of every object this package serializes: a SEAL serialization (zstd-compressed) inside a
 * small envelope that says what it is, which parameters it was made under, and carries a checksum.
 *
 *   0..3    magic "THE" + format version 1
 *   4       kind (see `EnvelopeKind`)
 *   5..7    zero
 *   8..23   the first 16 bytes of the SEAL parms id of the parameter set (its key level)
 *   24..n-17  SEAL's own serialization: a 16-byte SEAL header (magic 0xA15E, header size, version, compression
 *             mode in byte 5, total size in bytes 8..15), then the zstd-compressed data
 *   n-16..n-1 the first 16 bytes of SHA-256 over everything before
 *
 * The checksum catches truncation and accidental corruption before SEAL sees the bytes (SEAL's zstd stream
 * carries no checksum, and a SEAL header that promises more bytes than there are aborts the wasm module).
 * It is not a MAC: authenticity comes from the transport (signed, AEAD-protected messages). Bytes that pass
 * the envelope are still loaded through SEAL's validating `load`, which checks the parms id against the
 * context and every coefficient against its modulus.
 */
import { createHash } from 'node:crypto';
import { HeError } from './errors.js';

export const EnvelopeKind = {
  BfvCiphertext: 1,
  BfvPublicKey: 2,
  BfvSecretKey: 3,
  CkksCiphertext: 4,
  CkksPublicKey: 5,
  CkksSecretKey: 6,
  CkksGaloisKeys: 7,
} as const;
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

const KIND_NAMES: Readonly<Record<EnvelopeKind, string>> = {
  1: 'a BFV ciphertext',
  2: 'a BFV public key',
  3: 'a BFV secret key',
  4: 'a CKKS ciphertext',
  5: 'a CKKS public key',
  6: 'a CKKS secret key',
  7: 'CKKS Galois keys',
};

/** The same names, looked up by a kind byte read from untrusted bytes (which may name no kind). */
const NAME_OF_KIND_BYTE: Readonly<Partial<Record<number, string>>> = KIND_NAMES;

const MAGIC = [0x54, 0x48, 0x45, 0x01]; // "THE" v1
const HEADER = 24;
const CHECKSUM = 16;
const ID_BYTES = 16;
const SEAL_HEADER = 16;
const SEAL_MAGIC = 0xa15e;
/** SEAL's compr_mode_type::zstd; the only mode this package writes, and the only one it accepts. */
const SEAL_ZSTD = 2;

export const ENVELOPE_OVERHEAD = HEADER + CHECKSUM;

function checksum(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest().subarray(0, CHECKSUM));
}

/** Wraps a SEAL serialization (`payload`) made under the parameters whose parms id is `parmsId`. */
export function wrap(kind: EnvelopeKind, parmsId: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length + CHECKSUM);
  out.set(MAGIC, 0);
  out[4] = kind;
  out.set(parmsId.subarray(0, ID_BYTES), 8);
  out.set(payload, HEADER);
  out.set(checksum(out.subarray(0, HEADER + payload.length)), HEADER + payload.length);
  return out;
}

/**
 * Checks the envelope and returns the SEAL payload (a view, not a copy). Throws `HeError('bad-bytes')` for
 * anything malformed, truncated, corrupted or of another kind, and `HeError('wrong-parameters')` when the
 * bytes were made under other parameters. `what` names the expected object in messages.
 */
export function unwrap(bytes: unknown, kind: EnvelopeKind, parmsId: Uint8Array, what = KIND_NAMES[kind]): Uint8Array {
  if (!(bytes instanceof Uint8Array))
    throw new HeError('bad-bytes', `${what}: expected a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < HEADER + SEAL_HEADER + CHECKSUM)
    throw new HeError('bad-bytes', `${what}: only ${bytes.length} bytes, too short to be one (truncated?)`);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i])
      throw new HeError('bad-bytes', `${what}: not a @tessera/he serialization (bad magic bytes)`);
  }
  const end = bytes.length - CHECKSUM;
  const expected = checksum(bytes.subarray(0, end));
  let diff = 0;
  // expected holds CHECKSUM bytes and bytes.length = end + CHECKSUM, so both reads are in range.
  for (let i = 0; i < CHECKSUM; i++) diff |= expected[i]! ^ bytes[end + i]!;
  if (diff !== 0)
    throw new HeError('bad-bytes', `${what}: checksum mismatch, the ${bytes.length} bytes are truncated or corrupted`);
  const storedKind = bytes[4]!; // bytes.length >= HEADER, checked above
  if (storedKind !== kind) {
    const held = NAME_OF_KIND_BYTE[storedKind] ?? `an unknown object (kind ${storedKind})`;
    throw new HeError('bad-bytes', `${what}: expected ${KIND_NAMES[kind]}, but the bytes hold ${held}`);
  }
  for (let i = 0; i < ID_BYTES; i++) {
    if (bytes[8 + i] !== parmsId[i]) {
      throw new HeError(
        'wrong-parameters',
        `${what} was made under other encryption parameters ` +
          `(parms id ${hex(bytes.subarray(8, 8 + ID_BYTES))}..., expected ${hex(parmsId.subarray(0, ID_BYTES))}...)`,
      );
    }
  }
  const payload = bytes.subarray(HEADER, end);
  checkSealHeader(payload, what);
  return payload;
}

/**
 * SEAL's own header: magic, header size, zstd compression and a declared total size equal to the payload
 * length (SEAL reads past the end, and aborts the wasm module, when the declared size is larger).
 */
function checkSealHeader(payload: Uint8Array, what: string): void {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint16(0, true) !== SEAL_MAGIC || payload[2] !== SEAL_HEADER)
    throw new HeError('bad-bytes', `${what}: the inner SEAL header is invalid`);
  if (payload[5] !== SEAL_ZSTD)
    throw new HeError('bad-bytes', `${what}: the SEAL payload is not zstd-compressed (compression mode ${payload[5]})`);
  const declared = view.getBigUint64(8, true);
  if (declared !== BigInt(payload.length))
    throw new HeError(
      'bad-bytes',
      `${what}: the SEAL header declares ${declared} bytes but ${payload.length} are present`,
    );
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
