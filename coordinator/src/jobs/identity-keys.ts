import type { Store } from '../store/store.js';

/**
 * The Ed25519 identity keys of these participants, read from the store before a stage starts so that the stage's
 * synchronous parts (task building, key checks) look them up without waiting; an unknown participant has none.
 */
export async function identityKeysOf(store: Store, ids: Iterable<string>): Promise<Map<string, Uint8Array>> {
  const keys = new Map<string, Uint8Array>();
  for (const id of new Set(ids)) {
    const p = await store.getParticipant(id);
    if (p) keys.set(id, p.publicKey);
  }
  return keys;
}
