/**
 * Console sessions: short-lived, in this process's memory only (a restart logs everyone out), each with its own CSRF
 * token. Kept by the SHA-256 of the cookie's value, so looking one up reveals nothing through timing.
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '@tessera/crypto';

/** Who a session is: the operator, an analyst (by id), or the merchant at a participant's local page. */
export interface Principal {
  role: 'operator' | 'analyst' | 'merchant';
  /** The analyst's id, 'operator', or the participant's id. */
  id: string;
  /** What the pages call them. */
  name: string;
}

export interface Session {
  principal: Principal;
  /** The token every state-changing request of this session must carry (form field _csrf or header x-csrf-token). */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionTimes {
  /** A session ends after this long without a request. Default 15 minutes. */
  idleMs?: number;
  /** And after this long in any case. Default 8 hours. */
  maxMs?: number;
  now?: () => number;
}

/** Sessions at once, at most: a bound on memory (expired ones go first, then the least recently used). */
const MAX_SESSIONS = 10_000;
/**
 * Sessions of one principal at once, at most (its least recently used goes): so one analyst logging in over and over
 * cannot push everyone else's sessions out.
 */
const MAX_PER_PRINCIPAL = 20;

export class Sessions {
  private readonly byHash = new Map<string, Session>();
  readonly idleMs: number;
  readonly maxMs: number;
  private readonly now: () => number;

  constructor(o: SessionTimes = {}) {
    this.idleMs = o.idleMs ?? 15 * 60_000;
    this.maxMs = o.maxMs ?? 8 * 3600_000;
    this.now = o.now ?? Date.now;
  }

  /** A new session for `principal`: the cookie value (32 random bytes) and the session. */
  create(principal: Principal): { cookie: string; session: Session } {
    const cookie = randomBytes(32).toString('base64url');
    const now = this.now();
    const session: Session = {
      principal,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    const mine = [...this.byHash].filter(([, s]) => same(s.principal, principal));
    if (mine.length >= MAX_PER_PRINCIPAL) this.byHash.delete(leastRecent(mine));
    if (this.byHash.size >= MAX_SESSIONS) {
      this.sweep(now);
      if (this.byHash.size >= MAX_SESSIONS) this.byHash.delete(leastRecent([...this.byHash]));
    }
    this.byHash.set(sha256Hex(cookie), session);
    return { cookie, session };
  }

  /** The live session of this cookie value, without counting this look as use (for a stream's periodic check). */
  peek(cookie: string | undefined): Session | undefined {
    const s = cookie ? this.byHash.get(sha256Hex(cookie)) : undefined;
    return s && !this.expired(s, this.now()) ? s : undefined;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeenAt > this.idleMs || now - s.createdAt > this.maxMs;
  }

  private sweep(now: number): void {
    for (const [k, s] of this.byHash) if (this.expired(s, now)) this.byHash.delete(k);
  }

  /** The live session of this cookie value (and notes it was used), 'expired' for one that timed out, or undefined. */
  get(cookie: string | undefined): Session | 'expired' | undefined {
    if (!cookie) return undefined;
    const key = sha256Hex(cookie);
    const s = this.byHash.get(key);
    if (!s) return undefined;
    const now = this.now();
    if (this.expired(s, now)) {
      this.byHash.delete(key);
      return 'expired';
    }
    s.lastSeenAt = now;
    return s;
  }

  destroy(cookie: string | undefined): void {
    if (cookie) this.byHash.delete(sha256Hex(cookie));
  }

  /** Ends every session of `principal` (an analyst revoked, say). */
  destroyAllOf(role: Principal['role'], id: string): void {
    for (const [k, s] of this.byHash) if (s.principal.role === role && s.principal.id === id) this.byHash.delete(k);
  }
}

const same = (a: Principal, b: Principal) => a.role === b.role && a.id === b.id;

function leastRecent(entries: readonly (readonly [string, Session])[]): string {
  let best = entries[0]!;
  for (const e of entries) if (e[1].lastSeenAt < best[1].lastSeenAt) best = e;
  return best[0];
}
