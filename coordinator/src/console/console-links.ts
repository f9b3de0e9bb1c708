/**
 * One-time links into the web console. The operator's come from the data directory (whoever may run operator
 * commands may log in as the operator); an analyst's come from a challenge the analyst's identity key signed.
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@tessera/crypto';
import { openStore } from '../store/open-store.js';
import { storeLocationOf } from '../store/store-location.js';
import type { ConsoleLogin, Store } from '../store/store.js';

/** How long a login link can be used: once, within this time. */
export const CONSOLE_LINK_LIFETIME_MS = 2 * 60_000;

/** The path of a link on the console, after its origin. */
export const CONSOLE_LINK_PATH = '/login/';

/** A new one-time link token for `login` (only its hash is stored). */
export async function issueConsoleLink(
  store: Store,
  login: Omit<ConsoleLogin, 'expiresAt'>,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const token = `tcl_${randomBytes(32).toString('base64url')}`;
  const expiresAt = now + CONSOLE_LINK_LIFETIME_MS;
  await store.addConsoleLogin(sha256Hex(token), { ...login, expiresAt }, now);
  return { token, expiresAt };
}

/** An operator's login link token, from the coordinator's data directory (its store). */
export async function issueOperatorConsoleLink(dataDir: string): Promise<{ token: string; expiresAt: number }> {
  const store = await openStore(storeLocationOf(dataDir));
  try {
    return await issueConsoleLink(store, { role: 'operator' });
  } finally {
    await store.close();
  }
}

/** Uses up a link token: whom it logs in, or undefined (unknown, used, or expired). */
export function redeemConsoleLink(store: Store, token: string, now = Date.now()): Promise<ConsoleLogin | undefined> {
  if (!/^tcl_[A-Za-z0-9_-]{43}$/.test(token)) return Promise.resolve(undefined);
  return store.takeConsoleLogin(sha256Hex(token), now);
}
