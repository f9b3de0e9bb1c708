import { createHash } from 'node:crypto';
import { AlignmentError } from './errors.js';

/** Domain separation tag for hash_to_ristretto255 in alignment (distinct from the cardinality protocol's). */
export const ALIGNMENT_DST = 'tessera/v1/psi-align';

/** Domain separation prefix of the salted identifier key. */
export const ALIGNMENT_KEY_DOMAIN = 'tessera/v1/psi-align/key';

/** The shortest per-job salt accepted (128 bits). */
export const MIN_SALT_BYTES = 16;

/** Bytes of one salted key (SHA-256). */
export const KEY_BYTES = 32;

const encoder = new TextEncoder();
const KEY_PREFIX = Buffer.from([ALIGNMENT_KEY_DOMAIN.length, ...encoder.encode(ALIGNMENT_KEY_DOMAIN)]);

/**
 * The canonical form of an identifier before hashing: Unicode NFKC, surrounding white space removed, runs of
 * inner white space made one space, lower case (locale-independent). Field-specific rules (dropping the `+` or
 * the spaces of a phone number, say) are the caller's, applied the same way on both sides.
 */
export function normaliseIdentifier(id: string): string {
  return id.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

export function checkSalt(salt: unknown): Uint8Array {
  if (!(salt instanceof Uint8Array) || salt.length < MIN_SALT_BYTES) {
    const got = salt instanceof Uint8Array ? `${salt.length} bytes` : typeof salt;
    throw new AlignmentError(
      'bad-salt',
      `alignment salt must be a Uint8Array of at least ${MIN_SALT_BYTES} bytes agreed per job, got ${got}`,
    );
  }
  return salt;
}

/**
 * The salted keys of `ids` (row i at bytes 32i..32i+32): SHA-256(len(D) || D || len(salt) (4 bytes, big-endian)
 * || salt || utf8(normaliseIdentifier(id))) with D = `ALIGNMENT_KEY_DOMAIN`. Refuses an identifier that is not a
 * string or is empty after normalisation (naming its row), and duplicates after normalisation (naming how many,
 * never which).
 */
export function alignmentKeys(ids: readonly string[], salt: Uint8Array): Uint8Array {
  checkSalt(salt);
  const saltLength = Buffer.alloc(4);
  saltLength.writeUInt32BE(salt.length);
  const prefix = Buffer.concat([KEY_PREFIX, saltLength, salt]); // a fresh hash per id is faster than copying one
  const seen = new Set<string>();
  const keys = new Uint8Array(ids.length * KEY_BYTES);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row];
    if (typeof id !== 'string') {
      throw new AlignmentError('bad-id', `identifier on row ${row} is ${typeof id}, not a string`);
    }
    const normalised = normaliseIdentifier(id);
    if (normalised === '') {
      throw new AlignmentError('bad-id', `identifier on row ${row} is empty after normalisation; drop the row`);
    }
    seen.add(normalised);
    keys.set(createHash('sha256').update(prefix).update(normalised, 'utf8').digest(), row * KEY_BYTES);
  }
  const duplicates = ids.length - seen.size;
  if (duplicates > 0) {
    throw new AlignmentError(
      'duplicate-ids',
      `${duplicates} of ${ids.length} identifiers repeat an earlier row (after normalisation); ` +
        'each customer must appear on one row only: deduplicate the id column before aligning',
    );
  }
  return keys;
}
