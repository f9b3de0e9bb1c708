/**
 * The hash chain shared by Tessera's append-only logs (the participant's audit log, the coordinator's payout
 * ledger): one link encoding, reviewed once, with a domain tag so that a link of one log never verifies as a link
 * of another (or of another version of the same log).
 *
 * A link's hash is the lower-case hex SHA-256 of this byte string, `lengthPrefixed` (each part preceded by its
 * length as 4 big-endian bytes):
 *
 *   part 0     the tag, UTF-8, e.g. "tessera/audit-log/v2" or "tessera/payout-ledger/v2"
 *   part 1     the link's position (seq / id): 8 bytes, big-endian unsigned integer
 *   part 2     the previous link's hash: its 32 raw bytes (32 zero bytes, CHAIN_GENESIS, before the first link)
 *   part 3...  one part per field of the record, in the order the log's format fixes, each a typed value:
 *                string  0x73 ('s'), then its UTF-8 bytes
 *                number  0x6e ('n'), then IEEE 754 binary64, big-endian (finite only; -0 is written as 0)
 *                null    0x7a ('z'), nothing else (what JSON makes of a number that is not finite)
 *                list    0x6c ('l'), then `lengthPrefixed` of its items' typed values
 *
 * Every part carries its length and every value its type, so the encoding is injective: no two (tag, seq, prevHash,
 * fields) give the same bytes, whatever the strings contain. Numbers are written as binary64 rather than as decimal
 * text so that a verifier in another language needs no JavaScript number formatting; -0 is folded into 0 because
 * a JSON round trip (how the logs store records) cannot keep it.
 */
import { fromHex, lengthPrefixed } from './encoding.js';
import { sha256Hex } from './hash.js';

/** A field of a chained record. */
export type ChainValue = string | number | null | readonly ChainValue[];

/** The previous hash of the first link of a chain. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** A value the encoding cannot represent (a non-finite number, a bad seq or previous hash, an empty tag). */
export class ChainEncodingError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'ChainEncodingError';
  }
}

/** The chain of one log format: its tag and the hash of a link. */
export interface HashChain {
  readonly tag: string;
  /** The canonical bytes of one link (see the file's top comment). */
  encode(seq: number, prevHash: string, fields: readonly ChainValue[]): Uint8Array;
  /** SHA-256 of `encode(...)`, lower-case hex: the link's hash, and the next link's prevHash. */
  link(seq: number, prevHash: string, fields: readonly ChainValue[]): string;
}

const HASH = /^[0-9a-f]{64}$/;
const TYPE_STRING = 0x73;
const TYPE_NUMBER = 0x6e;
const TYPE_LIST = 0x6c;
const TYPE_NULL = 0x7a;
const utf8 = new TextEncoder();

function tagged(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = type;
  out.set(body, 1);
  return out;
}

function encodeValue(value: ChainValue, path: string): Uint8Array {
  if (typeof value === 'string') return tagged(TYPE_STRING, utf8.encode(value));
  if (value === null) return Uint8Array.of(TYPE_NULL);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ChainEncodingError(`${path} must be a finite number, got ${value}`);
    const body = new Uint8Array(8);
    new DataView(body.buffer).setFloat64(0, value === 0 ? 0 : value, false);
    return tagged(TYPE_NUMBER, body);
  }
  if (Array.isArray(value))
    return tagged(TYPE_LIST, lengthPrefixed(...value.map((v, i) => encodeValue(v, `${path}[${i}]`))));
  throw new ChainEncodingError(`${path} must be a string, a number, null or a list, got ${typeof value}`);
}

function encodeSeq(seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new ChainEncodingError(`seq must be a non-negative safe integer, got ${seq}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(seq), false);
  return out;
}

/** The chain of the log format named by `tag` (which names the log and its format version). */
export function hashChain(tag: string): HashChain {
  if (tag === '') throw new ChainEncodingError('a hash chain needs a non-empty tag');
  const tagBytes = utf8.encode(tag);
  const encode = (seq: number, prevHash: string, fields: readonly ChainValue[]): Uint8Array => {
    if (!HASH.test(prevHash))
      throw new ChainEncodingError(`prevHash must be 64 lower-case hex characters, got "${prevHash.slice(0, 70)}"`);
    return lengthPrefixed(
      tagBytes,
      encodeSeq(seq),
      fromHex(prevHash),
      ...fields.map((f, i) => encodeValue(f, `field ${i}`)),
    );
  };
  return { tag, encode, link: (seq, prevHash, fields) => sha256Hex(encode(seq, prevHash, fields)) };
}
