// The console's login and request checks, played as the adversary: a forged or replayed login, a state-changing
// request without the CSRF token, with a stale session, or from another origin is refused and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalystIdentity } from '@tessera/client';
import { Coordinator, issueOperatorConsoleLink } from '@tessera/coordinator';
import { openAnalystConsoleLink, startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import { call, openStream, sessionCookieOf } from './https-client.js';

const NO_METRICS = { contentType: 'text/plain', metrics: async () => '' };

describe('console security', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-console-sec-'));
  let coordinator: Coordinator;
  let web: RunningConsole;
  let shortLived: RunningConsole;
  let ca: string;
  const alice = AnalystIdentity.generate();

  beforeAll(async () => {
    coordinator = await Coordinator.start({ dataDir: dir, listen: '127.0.0.1:0' });
    web = await startCoordinatorConsole(coordinator, { listen: '127.0.0.1:0', metrics: NO_METRICS });
    shortLived = await startCoordinatorConsole(coordinator, {
      listen: '127.0.0.1:0',
      metrics: NO_METRICS,
      sessions: { idleMs: 300 },
    });
    ca = readFileSync(join(dir, 'tls', 'anchor.pem'), 'utf8');
    await coordinator.store.registerAnalyst('alice', alice.identity);
  });
  afterAll(async () => {
    await web.close();
    await shortLived.close();
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Logs in as the operator on `on`: the session cookie and its CSRF token (read from the page). */
  async function operatorSession(on: RunningConsole): Promise<{ cookie: string; csrf: string }> {
    const { token } = await issueOperatorConsoleLink(dir);
    const r = await call(`${on.url}/login/${token}`, { ca });
    expect(r.status).toBe(303);
    const cookie = sessionCookieOf(r);
    const home = await call(`${on.url}/operator`, { ca, headers: { cookie } });
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(home.body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { cookie, csrf };
  }

  const stillLoggedIn = async (on: RunningConsole, cookie: string) =>
    (await call(`${on.url}/operator`, { ca, headers: { cookie } })).status === 200;

  const logout = (on: RunningConsole, headers: Record<string, string>, body: string) =>
    call(`${on.url}/logout`, {
      ca,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      body,
    });

  it('sets a __Host- cookie: HttpOnly, Secure, SameSite=Strict; and a CSP without inline script', async () => {
    const { token } = await issueOperatorConsoleLink(dir);
    const r = await call(`${web.url}/login/${token}`, { ca });
    const set = String(r.headers['set-cookie']);
    expect(set).toMatch(/^__Host-tessera-session=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(set).toContain(flag);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('a login link works once; a made-up one never', async () => {
    const { token } = await issueOperatorConsoleLink(dir);
    expect((await call(`${web.url}/login/${token}`, { ca })).status).toBe(303);
    const again = await call(`${web.url}/login/${token}`, { ca, headers: { accept: 'application/json' } });
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body).error.code).toBe('LOGIN_REFUSED');
    expect(again.headers['set-cookie']).toBeUndefined();
    const forged = `tcl_${'A'.repeat(43)}`;
    expect((await call(`${web.url}/login/${forged}`, { ca })).status).toBe(403);
  });

  it("refuses a state-changing request without the CSRF token, or with another session's", async () => {
    const mine = await operatorSession(web);
    const other = await operatorSession(web);
    const none = await logout(web, { cookie: mine.cookie }, '');
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body).error.code).toBe('CSRF');
    const foreign = await logout(web, { cookie: mine.cookie }, `_csrf=${other.csrf}`);
    expect(foreign.status).toBe(403);
    expect(await stillLoggedIn(web, mine.cookie)).toBe(true);
    // The right token ends the session: the request itself works.
    expect((await logout(web, { cookie: mine.cookie }, `_csrf=${mine.csrf}`)).status).toBe(303);
    expect(await stillLoggedIn(web, mine.cookie)).toBe(false);
  });

  it('refuses a request from another origin even with a valid session and token', async () => {
    const s = await operatorSession(web);
    const evil = await logout(web, { cookie: s.cookie, origin: 'https://evil.example' }, `_csrf=${s.csrf}`);
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.code).toBe('CROSS_ORIGIN');
    const crossSite = await logout(web, { cookie: s.cookie, 'sec-fetch-site': 'cross-site' }, `_csrf=${s.csrf}`);
    expect(crossSite.status).toBe(403);
    expect(await stillLoggedIn(web, s.cookie)).toBe(true);
    const own = await logout(web, { cookie: s.cookie, origin: web.url }, `_csrf=${s.csrf}`);
    expect(own.status).toBe(303);
  });

  it('refuses a stale session: after the idle time the cookie and token no longer act', async () => {
    const s = await operatorSession(shortLived);
    await new Promise((r) => setTimeout(r, 450));
    const stale = await logout(shortLived, { cookie: s.cookie }, `_csrf=${s.csrf}`);
    expect(stale.status).toBe(401);
    expect(JSON.parse(stale.body).error.code).toBe('SESSION_EXPIRED');
    expect(await stillLoggedIn(shortLived, s.cookie)).toBe(false);
  });

  it('logs an analyst in by a signed challenge; refuses an unknown identity, a bad signature, a replay', async () => {
    const link = await openAnalystConsoleLink({ consoleUrl: web.url, identity: alice, anchorPem: ca });
    expect(link.analyst).toBe('alice');
    const r = await call(link.url, { ca });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/jobs');
    const jobs = await call(`${web.url}/jobs`, { ca, headers: { cookie: sessionCookieOf(r) } });
    expect(jobs.status).toBe(200);
    // An analyst may not see the operator's pages.
    const op = await call(`${web.url}/operator`, { ca, headers: { cookie: sessionCookieOf(r) } });
    expect(op.status).toBe(403);

    await expect(
      openAnalystConsoleLink({ consoleUrl: web.url, identity: AnalystIdentity.generate(), anchorPem: ca }),
    ).rejects.toThrow(/not a registered analyst/);

    const challenge = JSON.parse((await call(`${web.url}/login/challenge`, { ca })).body).challenge as string;
    const answer = (signature: Uint8Array) =>
      call(`${web.url}/login/challenge`, {
        ca,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          challenge,
          identity: alice.identityHex,
          signature: Buffer.from(signature).toString('hex'),
        }),
      });
    const wrong = await answer(alice.signConsoleChallenge(`${challenge}x`));
    expect(wrong.status).toBe(403);
    // The challenge was used up by the failed answer: even the right signature is refused now.
    const replay = await answer(alice.signConsoleChallenge(challenge));
    expect(replay.status).toBe(403);
    expect(JSON.parse(replay.body).error.message).toMatch(/unknown or already used/);
  });

  it("logs an analyst in by the client certificate the coordinator's CA issued; refuses a mismatched one", async () => {
    const tlsKey = (identity: AnalystIdentity, name: string) => {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      return coordinator.certificates!.issue('analyst', name, identity.identity, spki).then((certPem) => ({
        certPem,
        keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }));
    };
    const ok = await call(`${web.url}/login/certificate`, { ca, client: await tlsKey(alice, 'alice') });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/jobs');
    const jobs = await call(`${web.url}/jobs`, { ca, headers: { cookie: sessionCookieOf(ok) } });
    expect(jobs.status).toBe(200);
    // A certificate naming alice but bound to another identity key, or none at all, logs nobody in.
    const mallory = await call(`${web.url}/login/certificate`, {
      ca,
      client: await tlsKey(AnalystIdentity.generate(), 'alice'),
    });
    expect(mallory.status).toBe(403);
    expect(mallory.headers['set-cookie']).toBeUndefined();
    expect((await call(`${web.url}/login/certificate`, { ca })).status).toBe(403);
  });

  it('ends the sessions of an analyst revoked elsewhere (the CLI, another replica)', async () => {
    const carol = AnalystIdentity.generate();
    await coordinator.store.registerAnalyst('carol', carol.identity);
    const link = await openAnalystConsoleLink({ consoleUrl: web.url, identity: carol, anchorPem: ca });
    const cookie = sessionCookieOf(await call(link.url, { ca }));
    expect((await call(`${web.url}/jobs`, { ca, headers: { cookie } })).status).toBe(200);
    await coordinator.store.revokeAnalyst('carol');
    await new Promise((r) => setTimeout(r, 1100)); // the console re-reads an analyst at most once a second
    const after = await call(`${web.url}/jobs`, { ca, headers: { cookie, accept: 'application/json' } });
    expect(after.status).toBe(403);
    expect(JSON.parse(after.body).error.message).toMatch(/revoked.*sessions were ended/);
    // Ended, not merely refused: the cookie no longer names a session.
    expect((await call(`${web.url}/jobs`, { ca, headers: { cookie } })).status).toBe(401);
  });

  it('ends an open live stream once its session is logged out', async () => {
    const s = await operatorSession(web);
    const events = await openStream(`${web.url}/operator/participants/events`, s.cookie);
    await events.next(/^data: /m);
    expect((await logout(web, { cookie: s.cookie }, `_csrf=${s.csrf}`)).status).toBe(303);
    coordinator.registry.emit('change'); // something to show: the stream looks at the session first
    await events.next(/^event: end$/m);
    await events.closed;
  });

  it('does not act on HEAD: a link checker cannot use up a login link', async () => {
    const { token } = await issueOperatorConsoleLink(dir);
    const head = await call(`${web.url}/login/${token}`, { ca, method: 'HEAD' });
    expect(head.status).toBeGreaterThanOrEqual(400);
    expect(head.headers['set-cookie']).toBeUndefined();
    expect((await call(`${web.url}/login/${token}`, { ca })).status).toBe(303);
  });

  it('sends the security headers and a typed error for a malformed URL and a body too large', async () => {
    const bad = await call(`${web.url}/%zz`, { ca });
    expect(bad.status).toBe(400);
    expect(String(bad.headers['content-security-policy'])).toContain("script-src 'self'");
    const big = await call(`${web.url}/login/challenge`, {
      ca,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(100_000) }),
    });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error.code).toBe('TOO_LARGE');
  });

  it('keeps at most 20 sessions per principal, so one cannot push out the others', async () => {
    const first = await operatorSession(web);
    for (let i = 0; i < 20; i++) await operatorSession(web);
    expect(await stillLoggedIn(web, first.cookie)).toBe(false);
    const { cookie } = await call(
      (await openAnalystConsoleLink({ consoleUrl: web.url, identity: alice, anchorPem: ca })).url,
      { ca },
    ).then((r) => ({ cookie: sessionCookieOf(r) }));
    for (let i = 0; i < 5; i++) await operatorSession(web);
    expect((await call(`${web.url}/jobs`, { ca, headers: { cookie } })).status).toBe(200);
  });

  it('answers /healthz and /readyz without a login', async () => {
    expect(JSON.parse((await call(`${web.url}/healthz`, { ca })).body)).toEqual({ status: 'ok' });
    const ready = await call(`${web.url}/readyz`, { ca });
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body).checks.migrations.ok).toBe(true);
  });
});
