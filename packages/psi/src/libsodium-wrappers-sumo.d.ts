// Minimal typings for the part of libsodium-wrappers-sumo 0.7.15 that @tessera/psi uses (the package ships none,
// and @types/libsodium-wrappers-sumo is not installed). All byte strings are Uint8Array; failures throw an Error.
declare module 'libsodium-wrappers-sumo' {
  interface LibsodiumSumo {
    /** Resolves once the WebAssembly module is instantiated; no function below may be called before. */
    readonly ready: Promise<void>;
    /** 32 */
    readonly crypto_core_ristretto255_BYTES: number;
    /** 64 */
    readonly crypto_core_ristretto255_HASHBYTES: number;
    /** 32 */
    readonly crypto_core_ristretto255_SCALARBYTES: number;
    /** The RFC 9496 one-way map (section 4.3.4) from 64 uniform bytes to a group element. */
    crypto_core_ristretto255_from_hash(r: Uint8Array): Uint8Array;
    /** True iff `p` is a canonical ristretto255 encoding (the identity, all zero, included). */
    crypto_core_ristretto255_is_valid_point(p: Uint8Array): boolean;
    crypto_core_ristretto255_scalar_random(): Uint8Array;
    crypto_core_ristretto255_scalar_mul(x: Uint8Array, y: Uint8Array): Uint8Array;
    /**
     * q = n·p for a 32-byte little-endian scalar n (top bit cleared, not clamped or reduced) and an encoded point
     * p. Throws if p is not a valid encoding or the result is the identity.
     */
    crypto_scalarmult_ristretto255(n: Uint8Array, p: Uint8Array): Uint8Array;
    crypto_scalarmult_ristretto255_base(n: Uint8Array): Uint8Array;
  }
  const sodium: LibsodiumSumo;
  export default sodium;
}
