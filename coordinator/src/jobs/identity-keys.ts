import type { Store } from '../store/store.js';

/**
 * The Ed25519 identity keys of these participants, read from the store (in one query) before a stage starts so that
 * the stage's synchronous parts (task building, key checks) look them up without waiting; an unknown participant has
 * none.
 */
export async function identityKeysOf(store: Store, ids: Iterable<string>): Promise<Map<string, Uint8Array>> {
  const wanted = new Set(ids);
  const keys = new Map<string, Uint8Array>();
  for (const p of await store.listParticipants()) if (wanted.has(p.id)) keys.set(p.id, p.publicKey);
  return keys;
}
