// The analyst's console pages against a real coordinator with in-process participants: a payout training job and a
// query job of analyst A, watched live over server-sent events, their charts, report, payouts (with the ledger
// verified, then tampered with) and model file; analyst B is refused every page of A's jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueConsoleLink, type Coordinator } from '@tessera/coordinator';
import { startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import { generateCommerce, parseCsv, toCsv, type RawTable } from '@tessera/data';
import { AnalystIdentity, LocalFederation, modelFileFrom, runQuery, type JobView } from '@tessera/sdk';
import { tempDir } from '@tessera/test-support';
import { call, sessionCookieOf } from './https-client.js';
import { isProtocolMetric } from '../src/coordinator/analyst/round-charts.js';

const NO_METRICS = { contentType: 'text/plain', metrics: async () => '' };
const BREAST_CANCER = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));
const ROUNDS = 8;

interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads the server-sent events of `url` until an `end` event (or `until` says enough, or the time runs out); `close`
 * ends the request early.
 */
function readEvents(
  url: string,
  headers: Record<string, string>,
  ca: string,
  until: (events: SseEvent[]) => boolean = () => false,
  timeoutMs = 60_000,
): Promise<{ status: number; contentType: string; events: SseEvent[]; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let buffer = '';
    let status = 0;
    let contentType = '';
    const req = httpsRequest(url, { headers, ca, checkServerIdentity: () => undefined }, (res) => {
      status = res.statusCode ?? 0;
      contentType = String(res.headers['content-type'] ?? '');
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf('\n\n');
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
          if (!data.length) continue;
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
          events.push({ event, data: data.join('\n') });
          if (event === 'end' || until(events)) {
            finish(event === 'end');
            return;
          }
        }
      });
      res.on('end', () => finish(false));
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    let done = false;
    function finish(ended: boolean) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ status, contentType, events, ended });
    }
    req.on('error', (e) => (done ? undefined : reject(e)));
    req.end();
  });
}

const counterOf = (html: string) => /data-testid="round-counter">(\d+) \/ (\d+)</.exec(html);

describe('the analyst console: own jobs only, live progress, charts, report, payouts and model', () => {
  const tmp = tempDir('tessera-console-analyst-');
  const alice = AnalystIdentity.generate();
  let fed: LocalFederation;
  let shops: LocalFederation;
  let coordinator: Coordinator;
  let web: RunningConsole;
  let ca: string;
  let aliceCookie: string;
  let aliceCsrf: string;
  let bobCookie: string;
  let bobCsrf: string;
  let trained: JobView;
  let live: Awaited<ReturnType<typeof readEvents>>;
  let queryJobId: string;

  const table = parseCsv(readFileSync(BREAST_CANCER, 'utf8'), BREAST_CANCER);
  const shards = [0, 1, 2].map((k) => ({ ...table, rows: table.rows.filter((_, i) => i % 4 === k) }));
  const validation = { ...table, rows: table.rows.filter((_, i) => i % 4 === 3) };

  async function login(name: string): Promise<{ cookie: string; csrf: string }> {
    const { token } = await issueConsoleLink(coordinator.store, { role: 'analyst', analystId: name });
    const r = await call(`${web.url}/login/${token}`, { ca });
    expect(r.status).toBe(303);
    const cookie = sessionCookieOf(r);
    const home = await call(`${web.url}/jobs`, { ca, headers: { cookie } });
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(home.body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    return { cookie, csrf };
  }
  const get = (path: string, cookie: string, accept = 'text/html') =>
    call(`${web.url}${path}`, { ca, headers: { cookie, accept } });
  const cancel = (id: string, cookie: string, form: string) =>
    call(`${web.url}/jobs/${id}/cancel`, {
      ca,
      method: 'POST',
      headers: { cookie, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });

  beforeAll(async () => {
    // Three hospitals that opt in to payout valuation, and (below) three shops that answer queries.
    fed = await LocalFederation.start({
      dir: join(tmp.dir, 'hospitals'),
      shards,
      dataset: 'patients',
      runtime: 'inline',
      valuation: true,
      analystKeys: alice,
    });
    coordinator = fed.coordinator!;
    const commerce = generateCommerce({ merchants: 3, customersPerMerchant: [300, 400, 250], seed: 'console' });
    const m = commerce.columns.indexOf('merchant');
    const merchants = [...new Set(commerce.rows.map((r) => r[m]))];
    shops = await LocalFederation.start({
      dir: join(tmp.dir, 'shops'),
      shards: merchants.map((name): RawTable => ({ ...commerce, rows: commerce.rows.filter((r) => r[m] === name) })),
      names: ['shop-1', 'shop-2', 'shop-3'],
      runtime: 'inline',
      coordinator: { address: coordinator.address, dataDir: join(tmp.dir, 'hospitals', 'coordinator') },
      analystKeys: alice,
    });
    await fed.addAnalyst('bob');
    web = await startCoordinatorConsole(coordinator, { listen: '127.0.0.1:0', metrics: NO_METRICS });
    ca = readFileSync(join(tmp.dir, 'hospitals', 'coordinator', 'tls', 'anchor.pem'), 'utf8');
    ({ cookie: aliceCookie, csrf: aliceCsrf } = await login('local-analyst'));
    ({ cookie: bobCookie, csrf: bobCsrf } = await login('bob'));

    const submitted = await fed.analyst.submit({
      name: 'paid training',
      dataset: 'patients',
      label: 'benign',
      rounds: ROUNDS,
      minParticipants: 3,
      waitForParticipantsSeconds: 30,
      roundTimeoutSeconds: 30,
      payout: {
        pool: 90_000,
        currency: 'EUR',
        valuation: 'loo',
        metric: 'logLoss',
        validation: { csv: toCsv(validation), source: 'every fourth row' },
      },
    });
    // The browser's view of the job while it runs: fragments until the stream says `end`.
    live = await readEvents(`${web.url}/jobs/${submitted.id}/events`, { cookie: aliceCookie }, ca);
    trained = await fed.analyst.watch(submitted.id);
    queryJobId = (
      await runQuery(shops.analyst, {
        sql: 'SELECT region, COUNT(*) FROM customers GROUP BY region',
        domains: { region: ['north', 'south', 'east', 'west', 'central'] },
        minParticipants: 3,
        privacy: { mode: 'none' },
      })
    ).job.id;
  }, 180_000);

  afterAll(async () => {
    await web?.close();
    await shops?.stop();
    await fed?.stop();
    tmp.cleanup();
  });

  it('streams the live section while the job runs: the round counter rises, then `end`', () => {
    expect(trained.status).toBe('completed');
    expect(live.status).toBe(200);
    expect(live.contentType).toContain('text/event-stream');
    expect(live.ended).toBe(true);
    const fragments = live.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data).html as string);
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    const counters = fragments.map((f) => counterOf(f)).map((c) => Number(c?.[1]));
    for (const [i, c] of counters.entries()) if (i) expect(c).toBeGreaterThanOrEqual(counters[i - 1]!);
    expect(counters.at(-1)).toBe(ROUNDS);
    expect(counters[0]).toBeLessThan(ROUNDS);
    // The last fragment is the finished job: its charts and status.
    const last = fragments.at(-1)!;
    expect(counterOf(last)?.[2]).toBe(String(ROUNDS));
    expect(last).toContain('data-testid="job-status">completed<');
    expect(last).toContain('data-testid="chart-seconds"');
  });

  it("lists A's jobs to A, with kind, status and rounds; B's list lacks them", async () => {
    const mine = await get('/jobs', aliceCookie);
    expect(mine.status).toBe(200);
    expect(mine.body).toContain(`href="/jobs/${trained.id}"`);
    expect(mine.body).toContain(`href="/jobs/${queryJobId}"`);
    expect(mine.body).toContain(`data-testid="job-${trained.id}-round">${ROUNDS} / ${ROUNDS}<`);
    expect(mine.body).toContain(`data-testid="job-${trained.id}-status">completed<`);
    expect(mine.body).toContain('<td>query</td>');
    const theirs = await get('/jobs', bobCookie);
    expect(theirs.status).toBe(200);
    expect(theirs.body).not.toContain(trained.id);
    expect(theirs.body).not.toContain(queryJobId);
    expect(theirs.body).toContain('you have no jobs at this coordinator yet');
  });

  it("refuses B every page, stream and download of A's job (403), and anyone an unknown job (404)", async () => {
    for (const path of ['', '/events', '/report', '/payouts', '/payouts/report', '/model']) {
      const r = await get(`/jobs/${trained.id}${path}`, bobCookie, 'application/json');
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('FORBIDDEN');
      expect(r.body).not.toContain('benign');
      const unknown = await get(`/jobs/job-doesnotexist${path}`, aliceCookie, 'application/json');
      expect(unknown.status, path).toBe(404);
    }
    expect((await get(`/jobs/${queryJobId}/report`, bobCookie)).status).toBe(403);
    const r = await cancel(trained.id, bobCookie, `_csrf=${encodeURIComponent(bobCsrf)}`);
    expect(r.status).toBe(403);
    // Without logging in at all, or as the operator's role, there is nothing either.
    expect((await get(`/jobs/${trained.id}`, '')).status).toBe(401);
  });

  it('shows the job: header, round counter, charts of loss, metrics and seconds, privacy and result', async () => {
    const r = await get(`/jobs/${trained.id}`, aliceCookie);
    expect(r.status).toBe(200);
    expect(r.body).toContain('data-testid="job-kind">train<');
    expect(r.body).toContain(`data-live="/jobs/${trained.id}/events"`);
    expect(r.body).toContain(`data-testid="round-counter">${ROUNDS} / ${ROUNDS}<`);
    expect(r.body).toContain('data-testid="job-stage">done<');
    expect(r.body).toContain('data-testid="contributors">3<');
    // A chart per task metric the rounds reported, each with a point per round that reported it; the protocol's
    // figures (secure aggregation timings, degree, threshold...) in a table instead.
    const reported = new Set(trained.history.filter((h) => h.stage === 'fit').flatMap((h) => Object.keys(h.metrics)));
    const metrics = [...reported].filter((m) => !isProtocolMetric(m));
    expect(metrics).toContain('loss');
    expect(metrics).toContain('accuracy');
    expect(r.body).toContain('data-testid="protocol-table"');
    for (const metric of [...reported].filter(isProtocolMetric))
      expect(r.body).not.toContain(`data-testid="chart-${metric}"`);
    for (const metric of metrics) {
      const chart = new RegExp(`<svg [^>]*data-testid="chart-${metric}"[^>]*>.*?</svg>`).exec(r.body)?.[0];
      expect(chart, metric).toBeDefined();
      const rounds = trained.history.filter((h) => h.status === 'completed' && h.metrics[metric] !== undefined);
      expect(chart!.match(/<circle class="qpt"/g)).toHaveLength(new Set(rounds.map((h) => h.round)).size);
    }
    const seconds = /<svg [^>]*data-testid="chart-seconds"[^>]*>.*?<\/svg>/.exec(r.body)?.[0];
    expect(seconds?.match(/<rect class="bar"/g)).toHaveLength(
      trained.history.filter((h) => h.status === 'completed').length,
    );
    expect(r.body).toContain('This job ran without differential privacy.');
    expect(r.body).toContain('data-testid="model-link"');
    expect(r.body).toContain('data-testid="payouts-link"');
    expect(r.body).toContain('payout paid');
    // Finished: no Cancel button; no inline script or style anywhere.
    expect(r.body).not.toContain('/cancel');
    expect(r.body).not.toMatch(/<script>|style=|onclick=/i);
  });

  it('downloads the model file the CLI would write for the job (tessera job result --out)', async () => {
    const r = await get(`/jobs/${trained.id}/model`, aliceCookie, '*/*');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-disposition'])).toBe(`attachment; filename="model-${trained.id}.json"`);
    expect(String(r.headers['content-type'])).toContain('application/json');
    const file = JSON.parse(r.body);
    const cli = JSON.parse(JSON.stringify(modelFileFrom(await fed.analyst.result(trained.id))));
    expect(file).toEqual(cli);
    expect(file).toMatchObject({ format: 'tessera-model', version: 2, label: 'benign' });
  });

  it("renders a query job's report as a self-contained page under the report's policy", async () => {
    const page = await get(`/jobs/${queryJobId}`, aliceCookie);
    expect(page.body).toContain('data-testid="job-kind">query<');
    expect(page.body).toContain(`href="/jobs/${queryJobId}/report"`);
    const r = await get(`/jobs/${queryJobId}/report`, aliceCookie);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-security-policy'])).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
    );
    expect(r.body).toContain('SELECT region, COUNT(*) FROM customers GROUP BY region');
    expect(r.body).toMatch(/<svg class="chart"[^>]*data-chart="bar"/);
    for (const region of ['north', 'south', 'east', 'west', 'central']) expect(r.body).toContain(region);
    expect(r.body).not.toContain('<script');
    // A training job has no query report.
    expect((await get(`/jobs/${trained.id}/report`, aliceCookie, 'application/json')).status).toBe(404);
  });

  it('refuses a cancel without the CSRF token; with it, cancels a waiting job and its stream ends', async () => {
    const waiting = await fed.analyst.submit({
      name: 'waits for ten',
      dataset: 'patients',
      label: 'benign',
      rounds: 2,
      minParticipants: 10,
      waitForParticipantsSeconds: 120,
    });
    const opened = readEvents(`${web.url}/jobs/${waiting.id}/events`, { cookie: aliceCookie }, ca);
    const refused = await cancel(waiting.id, aliceCookie, '');
    expect(refused.status).toBe(403);
    expect((await coordinator.store.getJob(waiting.id))?.status).not.toBe('cancelled');
    const page = await get(`/jobs/${waiting.id}`, aliceCookie);
    expect(page.body).toContain(`action="/jobs/${waiting.id}/cancel"`);
    const r = await cancel(waiting.id, aliceCookie, `_csrf=${encodeURIComponent(aliceCsrf)}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/jobs/${waiting.id}`);
    await coordinator.waitForJob(waiting.id);
    const job = await coordinator.store.getJob(waiting.id);
    expect(job?.status).toBe('cancelled');
    expect(job?.error).toBe('cancelled by the analyst');
    const stream = await opened;
    expect(stream.ended).toBe(true);
    expect(JSON.parse(stream.events.at(-2)?.data ?? '{}').html).toContain('data-testid="job-status">cancelled<');
    // The stream's listeners are gone with it.
    expect(coordinator.events.listenerCount(waiting.id)).toBe(0);
    expect((await cancel(waiting.id, aliceCookie, `_csrf=${encodeURIComponent(aliceCsrf)}`)).status).toBe(400);
  });

  it('removes a stream’s listeners when the browser goes away mid-job', async () => {
    const waiting = await fed.analyst.submit({
      name: 'waits again',
      dataset: 'patients',
      label: 'benign',
      rounds: 2,
      minParticipants: 10,
      waitForParticipantsSeconds: 120,
    });
    const first = await readEvents(`${web.url}/jobs/${waiting.id}/events`, { cookie: aliceCookie }, ca, (events) => {
      // While the stream is open, it listens for this job's events.
      expect(coordinator.events.listenerCount(waiting.id)).toBe(1);
      return events.length >= 1;
    });
    expect(first.ended).toBe(false);
    expect(counterOf(JSON.parse(first.events[0]!.data).html)?.[2]).toBe('2');
    for (let i = 0; i < 50 && coordinator.events.listenerCount(waiting.id) > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(coordinator.events.listenerCount(waiting.id)).toBe(0);
    await fed.analyst.cancel(waiting.id);
  });

  it('says the payout is verified against the signed ledger, and not once a ledger row is tampered with', async () => {
    const r = await get(`/jobs/${trained.id}/payouts`, aliceCookie);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<span class="ok" data-testid="ledger-status">verified</span>');
    for (const e of trained.payouts!.entries)
      expect(r.body).toContain(`data-testid="amount-${e.participant}">${e.amount}<`);
    const report = await get(`/jobs/${trained.id}/payouts/report`, aliceCookie);
    expect(report.status).toBe(200);
    expect(String(report.headers['content-security-policy'])).toContain("style-src 'unsafe-inline'");
    expect(report.body).toContain(`Payout of job ${trained.id}`);

    // Someone with write access to the database moves money from one entry to another.
    const db = (coordinator.store as unknown as { db: import('better-sqlite3').Database }).db;
    const row = db
      .prepare('SELECT seq, entry_json FROM payout_ledger WHERE job_id = ? ORDER BY seq')
      .get(trained.id) as {
      seq: number;
      entry_json: string;
    };
    const entry = JSON.parse(row.entry_json) as { amount: number };
    const forged = JSON.stringify({ ...entry, amount: entry.amount + 1000 });
    db.prepare('UPDATE payout_ledger SET entry_json = ? WHERE seq = ?').run(forged, row.seq);
    try {
      const t = await get(`/jobs/${trained.id}/payouts`, aliceCookie);
      expect(t.status).toBe(200);
      expect(t.body).toContain('<span class="bad" data-testid="ledger-status">not verified</span>');
      expect(t.body).toContain(`ledger line ${row.seq} (seq ${row.seq})`);
      expect(t.body).not.toContain('data-testid="ledger-status">verified<');
    } finally {
      db.prepare('UPDATE payout_ledger SET entry_json = ? WHERE seq = ?').run(row.entry_json, row.seq);
    }
    const restored = await get(`/jobs/${trained.id}/payouts`, aliceCookie);
    expect(restored.body).toContain('data-testid="ledger-status">verified<');
  });
});
