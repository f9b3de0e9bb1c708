/**
 * The console's HTTP(S) server on fastify: security headers on every response, the session cookie, the same-origin
 * and CSRF checks of every POST, typed errors as pages or JSON, the static script and stylesheet.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
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
}

const STATIC = new URL('../../static/', import.meta.url);
const STATIC_FILES: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

export function createConsoleApp(o: ConsoleAppOptions): ConsoleApp {
  const https = !!o.tls;
  const app = Fastify({
    bodyLimit: o.bodyLimit ?? 64 * 1024,
    // The services log JSON of their own; the console says what matters through its errors.
    logger: false,
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
  const cookieName = https ? '__Host-tessera-session' : 'tessera-session';
  const headers = securityHeaders(https);
  const scheme = https ? 'https' : 'http';

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(headers);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      checkSameOrigin(request.headers as RequestHeaders, scheme);
  });
  app.setErrorHandler((error, request, reply) => {
    const e =
      error instanceof ConsoleError
        ? error
        : (error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500
          ? new ConsoleError('BAD_REQUEST', (error as Error).message)
          : new ConsoleError('UNAVAILABLE', `the console could not answer: ${(error as Error).message}`);
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

  const sessionOf = (request: FastifyRequest) => o.sessions.get(parseCookies(request.headers.cookie).get(cookieName));

  return {
    app,
    https,
    sessions: o.sessions,
    login(reply, principal) {
      const { cookie, session } = o.sessions.create(principal);
      void reply.header(
        'set-cookie',
        sessionCookie(cookieName, cookie, { secure: https, maxAgeSeconds: Math.floor(o.sessions.maxMs / 1000) }),
      );
      return session;
    },
    logout(request, reply) {
      o.sessions.destroy(parseCookies(request.headers.cookie).get(cookieName));
      void reply.header('set-cookie', sessionCookie(cookieName, '', { secure: https, maxAgeSeconds: 0 }));
    },
    require(request, ...roles) {
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
  };
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
