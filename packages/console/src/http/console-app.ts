/**
 * The console's HTTP(S) server on fastify: security headers on every response, the session cookie, the same-origin
 * and CSRF checks of every POST, typed errors as pages or JSON, the static script and stylesheet.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isLoopbackHost, silentLogger, type Logger } from '@tessera/transport';
import { ConsoleError } from './console-error.js';
import { parseCookies, sessionCookie } from './cookies.js';
import { checkCsrf, checkSameOrigin, type RequestHeaders } from './request-guard.js';
import { securityHeaders } from './security-headers.js';
import type { Principal, Session, Sessions } from './sessions.js';
import { errorPage } from './page.js';

export interface ConsoleAppOptions {
  /** The certificate chain and key to serve HTTPS with (the coordinator's gRPC ones); plain HTTP without. */
  tls?: { certChainPem: string; keyPem: string } | undefined;
  /**
   * Ask browsers for a client certificate from this CA (PEM): one the coordinator issued an analyst logs in at
   * /login/certificate. Optional for the browser: the connection goes on without one.
   */
  clientCaPem?: string | undefined;
  sessions: Sessions;
  /** The largest request body accepted, in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /**
   * Whether a logged-in principal may still act (an analyst revoked meanwhile, from any replica or the CLI, may not):
   * the refusal, or undefined. Asked at most once a second per principal; a refusal ends all its sessions.
   */
  principalCheck?: (p: Principal) => Promise<string | undefined>;
  /** Where failures the console could not answer go (with an id the user is shown). Default: nowhere. */
  logger?: Logger;
}

/** A console server under construction: the fastify app and its session helpers. */
export interface ConsoleApp {
  app: FastifyInstance;
  https: boolean;
  sessions: Sessions;
  /** Starts a session for `principal` and sets its cookie on `reply`. */
  login(reply: FastifyReply, principal: Principal): Session;
  /** Ends the request's session and deletes its cookie. */
  logout(request: FastifyRequest, reply: FastifyReply): void;
  /**
   * The request's session, which must be one of `roles` (any when none are given); a POST's CSRF token is checked.
   * Throws a ConsoleError (401: not logged in or expired; 403: another role or a bad token).
   */
  require(request: FastifyRequest, ...roles: Principal['role'][]): Session;
  /**
   * For a stream that outlives its request: whether the request's session still holds (not logged out, expired or
   * ended by a revocation), looked at without counting as use.
   */
  stillValid(request: FastifyRequest): () => Promise<boolean>;
}

/** How long the answer of principalCheck is reused. */
const CHECK_CACHE_MS = 1000;

const STATIC = new URL('../../static/', import.meta.url);
const STATIC_FILES: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

export function createConsoleApp(o: ConsoleAppOptions): ConsoleApp {
  const https = !!o.tls;
  const app = Fastify({
    bodyLimit: o.bodyLimit ?? 64 * 1024,
    // The services log JSON of their own; the console says what matters through its errors (and logs failures).
    logger: false,
    // A HEAD request must not act: it would use up a one-time login link (and start a session) for a link checker.
    exposeHeadRoutes: false,
    // Even a request fastify cannot route (a malformed URL) gets the security headers and a typed error.
    frameworkErrors: (error, _request, reply) => {
      const raw = reply as unknown as FastifyReply;
      void raw
        .headers(securityHeaders(!!o.tls))
        .status(400)
        .send({ error: { code: 'BAD_REQUEST', message: `refused: ${error.message}` } });
    },
    // Live pages hold server-sent event streams open: closing the console ends them.
    forceCloseConnections: true,
    ...(o.tls
      ? {
          https: {
            cert: o.tls.certChainPem,
            key: o.tls.keyPem,
            ...(o.clientCaPem ? { ca: o.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}),
          },
        }
      : {}),
  }) as unknown as FastifyInstance;
  // Cookies are not scoped by port: on plain HTTP (a node's loopback page) the name carries the port, so two nodes'
  // pages on one machine do not overwrite each other's session.
  const cookieName = (request: FastifyRequest) =>
    https ? '__Host-tessera-session' : `tessera-session-${request.raw.socket.localPort ?? 0}`;
  const headers = securityHeaders(https);
  const scheme = https ? 'https' : 'http';
  const logger = o.logger ?? silentLogger;
  /** Per principal: when its check was made and what it said. */
  const checked = new Map<string, { at: number; refusal: string | undefined }>();
  /** The refusal that ended this request's session, for require() to say. */
  const endedBy = new WeakMap<FastifyRequest, string>();
  const cookieOf = (request: FastifyRequest) => parseCookies(request.headers.cookie).get(cookieName(request));
  const refusalOf = async (p: Principal): Promise<string | undefined> => {
    if (!o.principalCheck) return undefined;
    const key = `${p.role}:${p.id}`;
    const hit = checked.get(key);
    if (hit && Date.now() - hit.at < CHECK_CACHE_MS) return hit.refusal;
    const refusal = await o.principalCheck(p);
    if (checked.size > 10_000) checked.clear();
    checked.set(key, { at: Date.now(), refusal });
    if (refusal) o.sessions.destroyAllOf(p.role, p.id);
    return refusal;
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    // HSTS pins the name to HTTPS for a year: not for loopback names, whose other ports serve plain HTTP.
    if (https && !isLoopbackHost(hostOf(request.headers.host))) reply.header('strict-transport-security', HSTS);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      checkSameOrigin(request.headers as RequestHeaders, scheme);
    const session = o.sessions.peek(cookieOf(request));
    if (session) {
      const refusal = await refusalOf(session.principal);
      if (refusal) endedBy.set(request, refusal);
    }
  });
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    let e: ConsoleError;
    if (error instanceof ConsoleError) e = error;
    else if (status === 413) e = new ConsoleError('TOO_LARGE', `${(error as Error).message}: send less`);
    else if (status && status < 500) e = new ConsoleError('BAD_REQUEST', (error as Error).message);
    else {
      // An unexpected failure: the details go to the service's log under an id, the user gets the id only.
      const id = randomBytes(4).toString('hex');
      logger.error({ errorId: id, path: request.url.split('?')[0] }, `console: ${(error as Error).stack ?? error}`);
      e = new ConsoleError('INTERNAL', `the console failed to answer (error ${id} in the service's log)`);
    }
    void reply.status(e.status);
    if (wantsHtml(request)) return reply.type('text/html; charset=utf-8').send(errorPage(e));
    return reply.send({ error: { code: e.code, message: e.message } });
  });
  app.setNotFoundHandler((request) => {
    throw new ConsoleError('NOT_FOUND', `there is no page ${request.url.split('?')[0]} in this console`);
  });
  const files = new Map(
    Object.entries(STATIC_FILES).map(([name, type]) => [name, { type, body: readFileSync(new URL(name, STATIC)) }]),
  );
  // Browsers ask for it whatever the page says; there is none.
  app.get('/favicon.ico', async (_request, reply) => reply.status(204).send());
  app.get('/static/:file', async (request, reply) => {
    const f = files.get((request.params as { file: string }).file);
    if (!f) throw new ConsoleError('NOT_FOUND', 'no such static file');
    return reply.type(f.type).header('cache-control', 'no-cache').send(f.body);
  });

  const sessionOf = (request: FastifyRequest) => o.sessions.get(cookieOf(request));

  return {
    app,
    https,
    sessions: o.sessions,
    login(reply, principal) {
      const { cookie, session } = o.sessions.create(principal);
      checked.delete(`${principal.role}:${principal.id}`);
      void reply.header(
        'set-cookie',
        sessionCookie(cookieName(reply.request), cookie, {
          secure: https,
          maxAgeSeconds: Math.floor(o.sessions.maxMs / 1000),
        }),
      );
      return session;
    },
    logout(request, reply) {
      o.sessions.destroy(cookieOf(request));
      void reply.header('set-cookie', sessionCookie(cookieName(request), '', { secure: https, maxAgeSeconds: 0 }));
    },
    require(request, ...roles) {
      const ended = endedBy.get(request);
      if (ended) throw new ConsoleError('FORBIDDEN', `${ended}; your console sessions were ended`);
      const s = sessionOf(request);
      if (s === 'expired')
        throw new ConsoleError('SESSION_EXPIRED', 'your console session has expired: open a new login link');
      if (!s) throw new ConsoleError('NOT_LOGGED_IN', 'log in first: open a login link (tessera console open)');
      if (roles.length && !roles.includes(s.principal.role))
        throw new ConsoleError('FORBIDDEN', `this page is for the ${roles.join(' or ')}, not for ${s.principal.name}`);
      if (request.method !== 'GET' && request.method !== 'HEAD')
        checkCsrf(s, request.headers as RequestHeaders, request.body);
      return s;
    },
    stillValid(request) {
      const cookie = cookieOf(request);
      const first = o.sessions.peek(cookie);
      return async () => {
        const now = o.sessions.peek(cookie);
        return !!now && now === first && (await refusalOf(now.principal)) === undefined;
      };
    },
  };
}

const HSTS = 'max-age=31536000';

/** The host name of a Host header (without the port; an IPv6 literal without brackets). */
function hostOf(host: string | undefined): string {
  const h = host ?? '';
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(0, i) : h;
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/** Listens on host:port (port 0: a free one); returns the console's URL. */
export async function listenConsole(c: ConsoleApp, address: string): Promise<{ url: string; port: number }> {
  const i = address.lastIndexOf(':');
  if (i < 0) throw new ConsoleError('BAD_REQUEST', `--console ${address}: give host:port, e.g. 127.0.0.1:7071`);
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConsoleError('BAD_REQUEST', `--console ${address}: the port must be 0..65535`);
  await c.app.listen({ host, port });
  const bound = (c.app.server.address() as { port: number }).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `${c.https ? 'https' : 'http'}://${shown}:${bound}`, port: bound };
}
