/**
 * The participant console's login: one link with a random token, made at start (as Jupyter does). It works once,
 * within LOGIN_LINK_LIFETIME_MS; only the token's SHA-256 is kept, in this process's memory.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '@tessera/crypto';

/** How long a login link works: 10 minutes. */
export const LOGIN_LINK_LIFETIME_MS = 10 * 60_000;

export class LoginLink {
  private hash: string | undefined;
  private expiresAt = 0;

  constructor(
    private readonly lifetimeMs = LOGIN_LINK_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token (32 random bytes, base64url); any earlier one stops working. */
  issue(): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    this.hash = sha256Hex(token);
    this.expiresAt = this.now() + this.lifetimeMs;
    return { token, expiresAt: this.expiresAt };
  }

  /** Whether `token` is the current link's, unused and in time; a matching token is used up either way. */
  redeem(token: string): boolean {
    const kept = this.hash;
    if (!kept) return false;
    if (!timingSafeEqual(Buffer.from(sha256Hex(token)), Buffer.from(kept))) return false;
    this.hash = undefined;
    return this.now() <= this.expiresAt;
  }
}
