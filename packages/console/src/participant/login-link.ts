/**
 * The participant console's login links: `NONCE.EXPIRES.MAC`, where NONCE is 16 random bytes (base64url, 22
 * characters), EXPIRES the end of its life in milliseconds since the epoch, and MAC the HMAC-SHA256 of
 * "tessera/v1/participant-console-link" || NONCE || EXPIRES under the node's console secret (base64url). Whoever can
 * read the secret file (the node's owner) mints links without talking to the node; the node keeps nothing about
 * them but the nonces of the links used, until they expire, so that each works once.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { loadOrCreateConsoleSecret, readConsoleSecret, readConsoleUrl } from './console-files.js';

/** How long a login link works: 10 minutes. */
export const LOGIN_LINK_LIFETIME_MS = 10 * 60_000;
/** What the MAC of a link signs, before its nonce and expiry. */
const LINK_DOMAIN = 'tessera/v1/participant-console-link';
/** The most used links remembered at once (links used within ten minutes); more logins wait. */
const MAX_USED = 1000;
const TOKEN = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

const macOf = (secret: Buffer, nonce: string, expires: string) =>
  createHmac('sha256', secret).update(`${LINK_DOMAIN}${nonce}${expires}`).digest();

/** A new login token signed with `secret`, working until `now + lifetimeMs`. */
export function mintLoginToken(
  secret: Buffer,
  now = Date.now(),
  lifetimeMs = LOGIN_LINK_LIFETIME_MS,
): { token: string; expiresAt: number } {
  const nonce = randomBytes(16).toString('base64url');
  const expiresAt = now + lifetimeMs;
  const mac = macOf(secret, nonce, String(expiresAt)).toString('base64url');
  return { token: `${nonce}.${expiresAt}.${mac}`, expiresAt };
}

/**
 * A login link for the local page of the node whose config is `configFile`: reads console-secret and console-url
 * beside it (the node writes both at start with --console). Errors name the file and say what to do.
 */
export function mintParticipantConsoleLink(configFile: string, now = Date.now()): { url: string; expiresAt: number } {
  const secret = readConsoleSecret(configFile);
  const base = readConsoleUrl(configFile);
  const { token, expiresAt } = mintLoginToken(secret, now);
  return { url: `${base}/login/${token}`, expiresAt };
}

/** Why a token did not log in, for the refusal's message. */
export type LoginRefusal = 'not-ours' | 'expired' | 'used' | 'before-start' | 'busy';

/** The node's side: checks tokens against its console secret and remembers the nonces used until they expire. */
export class LoginLinks {
  private readonly secret: Buffer;
  private readonly startedAt: number;
  /** Nonce of a used link → when it expires. */
  private readonly used = new Map<string, number>();

  constructor(
    configFile: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = loadOrCreateConsoleSecret(configFile);
    this.startedAt = now();
  }

  /** A new link's token (as tessera participant console-link mints it). */
  issue(): { token: string; expiresAt: number } {
    return mintLoginToken(this.secret, this.now());
  }

  /** Uses up `token` if it is this node's, unexpired and unused; otherwise says why not. */
  redeem(token: string): { ok: true } | { ok: false; why: LoginRefusal } {
    const m = TOKEN.exec(token);
    if (!m) return { ok: false, why: 'not-ours' };
    const [, nonce = '', expires = '', mac = ''] = m;
    if (!timingSafeEqual(macOf(this.secret, nonce, expires), Buffer.from(mac, 'base64url')))
      return { ok: false, why: 'not-ours' };
    const now = this.now();
    const expiresAt = Number(expires);
    if (now > expiresAt) return { ok: false, why: 'expired' };
    // Minted with this secret but for longer than a link lives (or on another clock): not a link of ours.
    if (expiresAt > now + LOGIN_LINK_LIFETIME_MS) return { ok: false, why: 'not-ours' };
    // A link minted before this start may have been used by the previous process, which kept its nonce.
    if (expiresAt - LOGIN_LINK_LIFETIME_MS < this.startedAt) return { ok: false, why: 'before-start' };
    for (const [n, until] of this.used) if (until < now) this.used.delete(n);
    if (this.used.has(nonce)) return { ok: false, why: 'used' };
    if (this.used.size >= MAX_USED) return { ok: false, why: 'busy' };
    this.used.set(nonce, expiresAt);
    return { ok: true };
  }
}
