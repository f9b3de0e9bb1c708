// The operator's console pages against a real coordinator with real participant nodes over HTTPS: only the operator
// sees them, the participants table goes live (a node that stops shows offline within seconds), and the operator's
// actions need the session's CSRF token and the console's own origin, and change nothing otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { createEnrollmentToken, issueConsoleLink, issueOperatorConsoleLink } from '@tessera/coordinator';
import { startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import type { RawTable } from '@tessera/data';
import { LocalFederation } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { call, sessionCookieOf } from './https-client.js';

const NO_METRICS = { contentType: 'text/plain', metrics: async () => '' };

const shard = (seed: number): RawTable => ({
  source: `shard-${seed}`,
  columns: ['x', 'y'],
  rows: Array.from({ length: 20 }, (_, i) => [String((i * seed) % 7), String(i % 2)]),
  lineOf: (i) => i + 2,
});

/** An open server-sent event stream: the data events so far, and a wait for one that satisfies a test. */
interface EventStream {
  events: { html: string }[];
  /** The first event not looked at yet that passes `test` (those before it are passed over). */
  next(test: (html: string) => boolean, timeoutMs: number): Promise<string>;
  close(): void;
}

function openEvents(url: string, cookie: string, ca: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const events: { html: string }[] = [];
    let buffer = '';
    let seen = 0;
    const req = request(
      url,
      { headers: { cookie, accept: 'text/event-stream' }, ca, checkServerIdentity: () => undefined },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`event stream answered ${res.statusCode}`));
        expect(String(res.headers['content-type'])).toContain('text/event-stream');
        expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (data) events.push(JSON.parse(data) as { html: string });
          }
        });
        resolve({
          events,
          close: () => req.destroy(),
          next: async (test, timeoutMs) => {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
              while (seen < events.length) {
                const html = events[seen++]!.html;
                if (test(html)) return html;
              }
              if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
              await new Promise((r) => setTimeout(r, 10));
            }
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const stateOf = (html: string, id: string) =>
  new RegExp(`data-testid="participant-${id}-state">(\\w+)<`).exec(html)?.[1];

describe('operator console pages', () => {
  const tmp = tempDir('tessera-console-operator-');
  let fed: LocalFederation;
  let web: RunningConsole;
  let ca: string;
  let dataDir: string;
  let operator: { cookie: string; csrf: string };

  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards: [shard(3), shard(5)], runtime: 'inline' });
    dataDir = join(tmp.dir, 'coordinator');
    web = await startCoordinatorConsole(fed.coordinator!, { listen: '127.0.0.1:0', metrics: NO_METRICS });
    ca = readFileSync(join(dataDir, 'tls', 'anchor.pem'), 'utf8');
    const { token } = await issueOperatorConsoleLink(dataDir);
    const cookie = sessionCookieOf(await call(`${web.url}/login/${token}`, { ca }));
    const home = await call(`${web.url}/operator`, { ca, headers: { cookie } });
    expect(home.status).toBe(200);
    operator = { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(home.body)?.[1] ?? '' };
    expect(operator.csrf).not.toBe('');
  });
  afterAll(async () => {
    await web?.close();
    await fed?.stop();
    tmp.cleanup();
  });

  const get = (path: string, cookie = operator.cookie) =>
    call(`${web.url}${path}`, { ca, headers: { cookie, accept: 'text/html' } });
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    call(`${web.url}${path}`, {
      ca,
      method: 'POST',
      headers: {
        cookie: operator.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });

  it('refuses every operator page to an analyst (403), and to no session (401)', async () => {
    const { token } = await issueConsoleLink(fed.coordinator!.store, { role: 'analyst', analystId: 'local-analyst' });
    const login = await call(`${web.url}/login/${token}`, { ca });
    expect(login.status).toBe(303);
    const analyst = sessionCookieOf(login);
    expect((await get('/jobs', analyst)).status).toBe(200);
    for (const path of [
      '/operator',
      '/operator/participants',
      '/operator/participants/events',
      '/operator/tokens',
      '/operator/analysts',
      '/operator/replicas',
    ]) {
      const r = await get(path, analyst);
      expect(r.status, path).toBe(403);
      expect(r.body, path).toContain('this page is for the operator');
      expect((await get(path, '')).status, path).toBe(401);
    }
  });

  it('shows the overview: participants online of enrolled, jobs by state, one live replica', async () => {
    const r = await get('/operator');
    expect(r.status).toBe(200);
    expect(r.body).toContain('data-testid="online-count">2<');
    expect(r.body).toContain('data-testid="enrolled-count">2<');
    expect(r.body).toContain('data-testid="jobs-running">0<');
    expect(r.body).toContain('data-testid="replicas-live">1<');
    expect(r.body).toContain('no job is under way');
  });

  it('lists analysts with a key fingerprint, and replicas with the one-replica note', async () => {
    const analysts = await get('/operator/analysts');
    expect(analysts.body).toContain('data-testid="analyst-local-analyst-status">active<');
    expect(analysts.body).toMatch(/<code title="SHA-256 of the Ed25519 public key">[0-9a-f]{16}<\/code>/);
    const replicas = await get('/operator/replicas');
    expect(replicas.body).toContain('data-testid="one-replica"');
    expect(replicas.body).toContain(`data-testid="replica-${fed.coordinator!.replicaId}-heartbeat"`);
  });

  it('shows a job under way (round i of n, never its result), its lease holder, and why rounds failed', async () => {
    const store = fed.coordinator!.store;
    const now = Date.now();
    // A job held by another replica's lease: this coordinator's scheduler leaves it alone. If the scheduler takes a
    // new job first (a few milliseconds' window every few seconds), try another.
    let id = '';
    for (let attempt = 0; !id && attempt < 5; attempt++) {
      const candidate = `job-console-${attempt}`;
      await store.createJob({
        id: candidate,
        name: 'weekly basket sizes',
        specJson: '{}',
        status: 'running',
        roundsCompleted: 2,
        roundsTotal: 10,
        createdAt: now,
        updatedAt: now,
        error: '',
        contextJson: JSON.stringify({ result: { secret: 'RESULT-ONLY-FOR-THE-ANALYST' } }),
        owner: 'local-analyst',
      });
      const taken = await store.acquireJobLeases('replica-elsewhere', 120_000, 10);
      if (taken.some((l) => l.jobId === candidate)) id = candidate;
    }
    expect(id).not.toBe('');
    await store.addRound({
      jobId: id,
      round: 2,
      stage: 'fit',
      attempt: 1,
      status: 'failed',
      contributors: 1,
      dropped: ['p-gone'],
      metrics: {},
      seconds: 3,
      error: 'only 1 of the 2 participants needed answered before the round timed out',
      finishedAt: now,
    });
    const overview = (await get('/operator')).body;
    expect(overview).toContain(`data-testid="job-${id}-round">3 of 10<`);
    expect(overview).toContain(`data-testid="job-${id}-status">running<`);
    expect(overview).toContain('local-analyst');
    expect(overview).toContain('only 1 of the 2 participants needed answered before the round timed out');
    expect(overview).not.toContain('RESULT-ONLY-FOR-THE-ANALYST');
    const replicas = (await get('/operator/replicas')).body;
    expect(replicas).toContain(`data-testid="lease-${id}-holder">replica-elsewhere<`);
    await store.updateJob(id, { status: 'cancelled', error: 'test over' });
  });

  it('shows connected participants online, and live: one offline within 5 s of its node stopping', async () => {
    const [gone, staying] = fed.participants;
    const pageBody = (await get('/operator/participants')).body;
    expect(pageBody).toContain('data-live="/operator/participants/events"');
    expect(stateOf(pageBody, gone!.id)).toBe('online');
    expect(stateOf(pageBody, staying!.id)).toBe('online');
    expect(pageBody).toContain('tessera-participant/');

    const listeners = fed.coordinator!.registry.listenerCount('change');
    const stream = await openEvents(`${web.url}/operator/participants/events`, operator.cookie, ca);
    try {
      const first = await stream.next(() => true, 5000);
      expect(stateOf(first, gone!.id)).toBe('online');
      expect(fed.coordinator!.registry.listenerCount('change')).toBe(listeners + 1);
      const stoppedAt = Date.now();
      await gone!.stop();
      const after = await stream.next((html) => stateOf(html, gone!.id) === 'offline', 5000);
      expect(Date.now() - stoppedAt).toBeLessThan(5000);
      expect(stateOf(after, staying!.id)).toBe('online');
    } finally {
      stream.close();
    }
    // The stream's listener goes with the client.
    const deadline = Date.now() + 5000;
    while (fed.coordinator!.registry.listenerCount('change') > listeners && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(fed.coordinator!.registry.listenerCount('change')).toBe(listeners);
  });

  it('revokes a pending token only with the CSRF token and from its own origin; never shows a token', async () => {
    const secret = await createEnrollmentToken(dataDir, 'shop-to-revoke');
    const tokens = await fed.coordinator!.store.listEnrollmentTokens();
    const id = tokens.find((t) => t.name === 'shop-to-revoke')!.id;
    const listed = await get('/operator/tokens');
    expect(listed.body).toContain(`data-testid="token-${id}-status">pending<`);
    expect(listed.body).not.toContain(secret);
    const status = async () => (await fed.coordinator!.store.listEnrollmentTokens()).find((t) => t.id === id)!.status;

    const noToken = await post('/operator/tokens/revoke', { id });
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.body).error.code).toBe('CSRF');
    const wrongToken = await post('/operator/tokens/revoke', { id, _csrf: `${operator.csrf.slice(0, -2)}xx` });
    expect(wrongToken.status).toBe(403);
    const foreign = await post(
      '/operator/tokens/revoke',
      { id, _csrf: operator.csrf },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe('CROSS_ORIGIN');
    const crossSite = await post(
      '/operator/tokens/revoke',
      { id, _csrf: operator.csrf },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect(await status()).toBe('pending');

    const ok = await post('/operator/tokens/revoke', { id, _csrf: operator.csrf }, { origin: web.url });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/operator/tokens');
    expect(await status()).toBe('revoked');
    expect((await get('/operator/tokens')).body).toContain(`data-testid="token-${id}-status">revoked<`);

    const unknown = await post('/operator/tokens/revoke', { id: 'tok-nonesuch', _csrf: operator.csrf });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toContain('tok-nonesuch');
  });

  it('disables a participant through the store the coordinator has, which cuts it off', async () => {
    const staying = fed.participants[1]!;
    const r = await post('/operator/participants/status', { id: staying.id, status: 'disabled', _csrf: operator.csrf });
    expect(r.status).toBe(303);
    expect((await fed.coordinator!.store.getParticipant(staying.id))!.status).toBe('disabled');
    const deadline = Date.now() + 5000;
    while (fed.coordinator!.registry.connected().some((s) => s.participantId === staying.id) && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 50));
    const body = (await get('/operator/participants')).body;
    expect(stateOf(body, staying.id)).toBe('offline');
    expect(body).toContain(`data-testid="participant-${staying.id}-status">disabled<`);
    const bad = await post('/operator/participants/status', { id: staying.id, status: 'gone', _csrf: operator.csrf });
    expect(bad.status).toBe(400);
  });

  it('revoking an analyst ends its console sessions', async () => {
    await fed.addAnalyst('bob');
    const { token } = await issueConsoleLink(fed.coordinator!.store, { role: 'analyst', analystId: 'bob' });
    const bob = sessionCookieOf(await call(`${web.url}/login/${token}`, { ca }));
    expect((await get('/jobs', bob)).status).toBe(200);
    const r = await post('/operator/analysts/revoke', { name: 'bob', _csrf: operator.csrf });
    expect(r.status).toBe(303);
    expect((await fed.coordinator!.store.getAnalyst('bob'))!.status).toBe('revoked');
    expect((await get('/jobs', bob)).status).toBe(401);
  });
});
