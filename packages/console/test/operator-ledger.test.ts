// The operator sees what was paid (the payout ledger, verified) and whose terms refused what (refusals by job).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Coordinator, issueOperatorConsoleLink } from '@tessera/coordinator';
import { startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import { call, sessionCookieOf } from './https-client.js';

describe("the operator's ledger page and refusals", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-console-ledger-'));
  let coordinator: Coordinator;
  let web: RunningConsole;
  let ca: string;
  let cookie: string;

  beforeAll(async () => {
    coordinator = await Coordinator.start({ dataDir: dir, listen: '127.0.0.1:0' });
    web = await startCoordinatorConsole(coordinator, {
      listen: '127.0.0.1:0',
      metrics: { contentType: 'text/plain', metrics: async () => '' },
    });
    ca = readFileSync(join(dir, 'tls', 'anchor.pem'), 'utf8');
    const { token } = await issueOperatorConsoleLink(dir);
    cookie = sessionCookieOf(await call(`${web.url}/login/${token}`, { ca }));
  });
  afterAll(async () => {
    await web.close();
    await coordinator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string) => call(`${web.url}${path}`, { ca, headers: { cookie } });

  it('lists the payouts with the ledger verified, and says where a tampered entry breaks it', async () => {
    expect((await get('/operator/ledger')).body).toContain('nothing has been paid yet');
    const record = (participant: string, amount: number) => ({
      job: 'job-paid',
      participant,
      amount,
      currency: 'EUR',
      method: 'shapley',
      share: amount / 1000,
      timestamp: '2026-12-03T10:00:00Z',
    });
    await coordinator.ledger.append([record('p-a', 600), record('p-b', 400)]);
    const ok = await get('/operator/ledger');
    expect(ok.body).toMatch(/data-testid="ledger-status">verified</);
    expect(ok.body).toContain('2 signed entries');
    expect(ok.body).toMatch(/data-testid="ledger-totals">Paid: 1000 EUR/);
    // Changing an amount in the database breaks the entry's hash: the page says so, naming the line.
    const db = new Database(join(dir, 'coordinator.sqlite'));
    const row = db.prepare('SELECT entry_json AS line FROM payout_ledger WHERE seq = 1').get() as { line: string };
    db.prepare('UPDATE payout_ledger SET entry_json = ? WHERE seq = 1').run(
      row.line.replace('"amount":600', '"amount":900'),
    );
    db.close();
    const broken = await get('/operator/ledger');
    expect(broken.body).toMatch(/data-testid="ledger-status">not verified</);
    expect(broken.body).toMatch(/ledger line 1/);
  });

  it('shows whose terms refused what in the latest jobs', async () => {
    const now = Date.now();
    await coordinator.store.createJob({
      id: 'job-refused',
      name: 'refused',
      specJson: JSON.stringify({ kind: 'query', dataset: 'orders' }),
      status: 'failed',
      roundsCompleted: 0,
      roundsTotal: 1,
      createdAt: now,
      updatedAt: now,
      error: 'too few participants',
      contextJson: JSON.stringify({
        refusals: [{ participantId: 'p-x', stage: 'query', round: 0, reason: 'privacy budget exhausted <b>' }],
      }),
      owner: 'alice',
    });
    const page = (await get('/operator')).body;
    expect(page).toContain('Latest refusals');
    expect(page).toContain('privacy budget exhausted &lt;b&gt;');
    expect(page).not.toContain('exhausted <b>');
  });
});
