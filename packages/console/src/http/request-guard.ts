/**
 * The checks of a state-changing request (POST): it comes from the console's own pages (Origin and Sec-Fetch-Site
 * when the browser sends them), and, when it acts for a session, it carries that session's CSRF token.
 */
import { timingSafeEqual } from 'node:crypto';
import { ConsoleError } from './console-error.js';
import type { Session } from './sessions.js';

export interface RequestHeaders {
  host?: string | undefined;
  origin?: string | undefined;
  'sec-fetch-site'?: string | undefined;
  'x-csrf-token'?: string | undefined;
}

/** Refuses a request another site's page made: its Origin is not this console's, or the browser says cross-site. */
export function checkSameOrigin(headers: RequestHeaders, scheme: 'https' | 'http'): void {
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none')
    throw new ConsoleError('CROSS_ORIGIN', `refused a ${site} request: the console acts only on its own pages' forms`);
  const origin = headers.origin;
  if (origin === undefined) return;
  const own = `${scheme}://${headers.host ?? ''}`;
  if (origin !== own)
    throw new ConsoleError(
      'CROSS_ORIGIN',
      `refused a request from ${origin}: the console acts only on requests from its own pages (${own})`,
    );
}

/** Refuses a request whose CSRF token (form field _csrf or header x-csrf-token) is not its session's. */
export function checkCsrf(session: Session, headers: RequestHeaders, body: unknown): void {
  const fromBody =
    body && typeof body === 'object' && typeof (body as { _csrf?: unknown })._csrf === 'string'
      ? (body as { _csrf: string })._csrf
      : undefined;
  const given = headers['x-csrf-token'] ?? fromBody;
  if (!given || !sameToken(given, session.csrf))
    throw new ConsoleError(
      'CSRF',
      'this request does not carry the CSRF token of your session: reload the page and submit its form again',
    );
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
