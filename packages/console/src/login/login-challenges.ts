/**
 * Login challenges: a console hands out a random challenge, an analyst's CLI signs it with the identity key
 * (tessera console open), and the console takes each challenge back once, within a minute, from whoever signed it.
 */
import { randomBytes } from 'node:crypto';
import { CONSOLE_LOGIN_CONTEXT } from '@tessera/client';
import { verify } from '@tessera/crypto';

/** How long a challenge can be answered. */
export const CHALLENGE_LIFETIME_MS = 60_000;
/** Open challenges at once, at most (a bound on memory; the oldest go first). */
const MAX_OPEN = 10_000;

export class LoginChallenges {
  private readonly open = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}

  issue(): { challenge: string; expiresAt: number } {
    const challenge = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + CHALLENGE_LIFETIME_MS;
    if (this.open.size >= MAX_OPEN) this.open.delete(this.open.keys().next().value as string);
    this.open.set(challenge, expiresAt);
    return { challenge, expiresAt };
  }

  /**
   * The identity (Ed25519 public key) that signed an open challenge, which is used up; or why the answer proves
   * nothing. `identityHex` and `signatureHex` are as the CLI sends them.
   */
  answer(challenge: string, identityHex: string, signatureHex: string): { identity: Uint8Array } | { problem: string } {
    const until = this.open.get(challenge);
    if (until === undefined) return { problem: 'this login challenge is unknown or already used: ask for a new one' };
    this.open.delete(challenge);
    if (this.now() > until) return { problem: 'this login challenge expired: ask for a new one' };
    if (!/^[0-9a-f]{64}$/.test(identityHex)) return { problem: 'identity must be 64 hex characters (Ed25519 key)' };
    if (!/^[0-9a-f]{128}$/.test(signatureHex)) return { problem: 'signature must be 128 hex characters (Ed25519)' };
    const identity = new Uint8Array(Buffer.from(identityHex, 'hex'));
    const ok = verify(
      CONSOLE_LOGIN_CONTEXT,
      new TextEncoder().encode(challenge),
      new Uint8Array(Buffer.from(signatureHex, 'hex')),
      identity,
    );
    return ok ? { identity } : { problem: 'the signature over the login challenge does not verify' };
  }
}
