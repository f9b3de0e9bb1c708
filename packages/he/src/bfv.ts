/**
 * The three roles of sealed-mode aggregation over BFV (batched, exact integer arithmetic mod p):
 *
 * - the analyst generates a `BfvKeyPair` and publishes its public key; it alone can decrypt (`BfvDecryptor`);
 * - each participant encrypts its masked word vector chunk by chunk (`BfvEncryptor`);
 * - the coordinator adds ciphertexts and subtracts the plaintext masks it reconstructed (`BfvAccumulator`),
 *   holding one ciphertext per chunk (memory O(d), never O(n d)) and no secret key.
 *
 * A vector of d words is split into ceil(d / n) chunks of n slots (the last zero-padded); each chunk
 * travels as one serialized, zstd-compressed ciphertext in this package's envelope (envelope.ts).
 * All classes need `await loadSeal()` first and hold wasm memory until `dispose()`.
 */
// One file per role: bfv-key-pair.ts, bfv-encryptor.ts, bfv-accumulator.ts, bfv-decryptor.ts, and what they
// share in bfv-role.ts.
export { BfvAccumulator } from './bfv-accumulator.js';
export { BfvDecryptor } from './bfv-decryptor.js';
export { BfvEncryptor } from './bfv-encryptor.js';
export { BfvKeyPair } from './bfv-key-pair.js';
export { bfvChunkCount } from './bfv-role.js';
