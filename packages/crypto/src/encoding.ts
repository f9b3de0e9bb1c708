export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string, what = 'hex string'): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex))
    throw new Error(`${what} is not hex: "${hex.slice(0, 16)}${hex.length > 16 ? '...' : ''}"`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** The concatenation of `parts` as one fresh array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** `n` as 4 big-endian bytes; `n` must be an integer in [0, 2^32). */
export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new RangeError(`u32be needs an integer in [0, 2^32), got ${n}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, false);
  return out;
}

/**
 * Canonical, injective encoding of a list of byte strings: each part preceded by its length as 4 big-endian bytes.
 * Used for signed messages and AEAD associated data, so that no two different lists of fields encode alike
 * (`["ab", "c"]` and `["a", "bc"]` differ) and field boundaries cannot be shifted by an adversary.
 */
export function lengthPrefixed(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += 4 + part.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    if (part.length > 0xffffffff) throw new RangeError('lengthPrefixed: a part is 2^32 bytes or longer');
    view.setUint32(offset, part.length, false);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}
