import { hkdfSync } from 'node:crypto';

const encoder = new TextEncoder();

/**
 * HKDF-SHA-256 (RFC 5869): extract with `salt` (an empty salt means 32 zero bytes), then expand to `length`
 * bytes bound to `info`, a context label such as `'tessera/secagg/pairwise-mask'`. `length` <= 255 * 32.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array | string, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError(`HKDF-SHA-256 output length must be an integer in [1, 8160], got ${length}`);
  }
  const infoBytes = typeof info === 'string' ? encoder.encode(info) : info;
  if (infoBytes.length > 1024)
    throw new RangeError(`HKDF info is at most 1024 bytes here (node:crypto), got ${infoBytes.length}`);
  return new Uint8Array(hkdfSync('sha256', ikm, salt, infoBytes, length));
}
