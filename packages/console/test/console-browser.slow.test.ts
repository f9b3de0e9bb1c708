// The web console in a real browser (headless Chromium through playwright-core) against real processes: a
// coordinator with --console, participant nodes (one with its local page), two analysts and the operator.
// Each scenario saves a screenshot (attached to the test result).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { toCsv } from '@tessera/data';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { BIN, killed, requireBuild, startCoordinatorProcess, tessera } from '../../cli/test/cli.js';
import { launchChromium, newPage, screenshot } from './browser.js';

interface Node {
  name: string;
  id: string;
  config: string;
  proc: ChildProcess;
  stderr: () => string;
}

describe('the web console in Chromium', () => {
  const tmp = tempDir('tessera-console-browser-');
  const shots = join(tmp.dir, 'screenshots');
  const procs: ChildProcess[] = [];
  const dataDir = join(tmp.dir, 'coordinator');
  const nodes: Node[] = [];
  let consoleUrl = '';
  let address = '';
  let browser: Browser;
  const keysOf = (who: string) => join(tmp.dir, `${who}-keys.json`);
  const env = () => ({ TESSERA_COORDINATOR: address });
  const as = (who: string) => ['--data-dir', dataDir, '--keys', keysOf(who)];

  /** A one-time login link from `tessera console open` (an analyst's signed challenge, or the operator's). */
  function loginLink(who: 'alice' | 'bob' | 'operator'): string {
    const args =
      who === 'operator'
        ? ['console', 'open', '--operator', '--data-dir', dataDir, '--json']
        : ['console', 'open', ...as(who), '--json'];
    const r = tessera(args, { env: env() });
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { url: string }).url;
  }

  async function loggedIn(who: 'alice' | 'bob' | 'operator'): Promise<{ page: Page; errors: string[] }> {
    const p = await newPage(browser);
    await p.page.goto(loginLink(who));
    return p;
  }

  function submit(spec: string, who = 'alice'): string {
    const r = tessera(['job', 'submit', spec, '--json', ...as(who)], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { id: string }).id;
  }

  const jobJson = (id: string) =>
    JSON.parse(tessera(['job', 'get', id, '--json', ...as('alice')], { env: env() }).stdout) as {
      status: string;
      roundsCompleted: number;
      refusals: { participantId: string; reason: string }[];
    };

  beforeAll(async () => {
    requireBuild();
    const coord = await startCoordinatorProcess(dataDir, '127.0.0.1:0', ['--console', '127.0.0.1:0']);
    procs.push(coord.proc);
    address = coord.address;
    consoleUrl = (coord as unknown as { console: string }).console;
    expect(consoleUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const identities: Record<string, string> = {};
    for (const who of ['alice', 'bob']) {
      const created = tessera(['keys', 'create', '--out', keysOf(who), '--json']);
      expect(created.code, created.stderr).toBe(0);
      identities[who] = (JSON.parse(created.stdout) as { identity: string }).identity;
      const added = tessera(['coordinator', 'analysts', 'add', who, '--keys', keysOf(who), '--data-dir', dataDir]);
      expect(added.code, added.stderr).toBe(0);
    }
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 5);
    writeFileSync(join(tmp.dir, 'validation.csv'), toCsv(data.test));
    for (const [i, shard] of data.shards.entries()) {
      const name = `clinic-${i + 1}`;
      const enrolled = tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      const policy = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(
        policy,
        `analysts:\n  alice: ${identities.alice}\n  bob: ${identities.bob}\n` +
          'datasets:\n  patients: { allowWithoutPrivacy: true }\n' +
          'grants:\n  - id: alice-all\n    analysts: [alice]\n    purposes: [train, valuation, query]\n' +
          '    expires: 2099-12-31\n  - id: bob-train\n    analysts: [bob]\n    purposes: [train]\n' +
          '    expires: 2099-12-31\n',
      );
      const token = (JSON.parse(enrolled.stdout) as { token: string }).token;
      const init = tessera([
        'participant',
        'init',
        '--token',
        token,
        '--name',
        name,
        '--coordinator',
        address,
        '--dataset',
        `patients=${csv}`,
        '--dir',
        join(tmp.dir, name),
        '--policy',
        policy,
        '--json',
      ]);
      expect(init.code, init.stderr).toBe(0);
      const { participantId, configPath } = JSON.parse(init.stdout) as { participantId: string; configPath: string };
      // The first merchant serves its local page too.
      const extra = i === 0 ? ['--console', '127.0.0.1:0'] : [];
      const proc = spawn(process.execPath, [BIN, 'participant', 'start', '--config', configPath, ...extra], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      proc.stderr!.on('data', (d) => {
        err += d;
      });
      procs.push(proc);
      nodes.push({ name, id: participantId, config: configPath, proc, stderr: () => err });
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(procs.map((p) => killed(p, 'SIGTERM')));
    tmp.cleanup();
  });

  it('an analyst logs in, starts a job, and sees the round counter and charts move without reloading', async ({
    annotate,
  }) => {
    const { page, errors } = await loggedIn('alice');
    expect(new URL(page.url()).pathname).toBe('/jobs');
    const spec = join(tmp.dir, 'live.yaml');
    writeFileSync(
      spec,
      'name: live\ndataset: patients\nlabel: benign\nrounds: 25\nminParticipants: 3\nseed: 1\n' +
        'local: { epochs: 5, batchSize: 16, learningRate: 0.1 }\n',
    );
    const id = submit(spec);
    await page.goto(`${consoleUrl}/jobs/${id}`);
    // Marks this document (a reload would lose the mark) and records every value the counter shows. Strings, not
    // functions: this runs in the page, whose globals the test's TypeScript does not know.
    await page.evaluate(`(() => {
      window.mark = true;
      window.seen = [];
      const record = () => {
        const t = document.querySelector('[data-testid="round-counter"]')?.textContent?.trim();
        if (t && window.seen[window.seen.length - 1] !== t) window.seen.push(t);
      };
      record();
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await expect
      .poll(() => page.locator('[data-testid="round-counter"]').textContent(), { timeout: 90_000, interval: 200 })
      .toMatch(/^\s*25 \/ 25\s*$/);
    const { seen, mark } = (await page.evaluate('({ seen: window.seen, mark: window.mark })')) as {
      seen: string[];
      mark: boolean;
    };
    expect(mark).toBe(true);
    // The counter went through several values on this one document: pushed, not reloaded.
    expect(seen.length, seen.join(', ')).toBeGreaterThanOrEqual(3);
    const loss = page.locator('[data-testid="chart-loss"]');
    await expect.poll(() => loss.locator('circle, path, polyline').count()).toBeGreaterThan(0);
    const box = await loss.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    await annotate('live job', { path: await screenshot(page, shots, 'analyst-live-job'), contentType: 'image/png' });
    expect(errors).toEqual([]);
  }, 150_000);

  it('the analyst opens a query report and a payout page whose ledger verifies', async ({ annotate }) => {
    const { page, errors } = await loggedIn('alice');
    const q = tessera(
      [
        'query',
        'SELECT COUNT(*), AVG(mean_radius) FROM patients',
        '--bounds',
        'mean_radius=0:50',
        '--dp',
        'none',
        '--json',
        ...as('alice'),
      ],
      { env: env() },
    );
    expect(q.code, q.stderr).toBe(0);
    const jobs = JSON.parse(tessera(['job', 'list', '--json', ...as('alice')], { env: env() }).stdout) as {
      id: string;
      spec: { kind?: string };
    }[];
    const query = jobs.find((j) => j.spec.kind === 'query');
    expect(query).toBeDefined();
    const report = await page.goto(`${consoleUrl}/jobs/${query!.id}/report`);
    expect(report!.status()).toBe(200);
    await expect.poll(() => page.locator('table').count()).toBeGreaterThan(0);
    expect(await page.content()).toMatch(/COUNT\(\*\)/);
    await annotate('query report', {
      path: await screenshot(page, shots, 'analyst-query-report'),
      contentType: 'image/png',
    });

    const spec = join(tmp.dir, 'paid.yaml');
    writeFileSync(
      spec,
      'name: paid\ndataset: patients\nlabel: benign\nrounds: 3\nminParticipants: 3\nseed: 1\n' +
        'payout:\n  pool: 100001\n  currency: CNY\n  valuation: shapley\n  validation:\n    path: validation.csv\n',
    );
    const paid = tessera(['job', 'submit', spec, '--watch', '--json', ...as('alice')], {
      env: env(),
      cwd: tmp.dir,
    });
    expect(paid.code, paid.stderr).toBe(0);
    const paidId = (JSON.parse(paid.stdout) as { id: string }).id;
    await page.goto(`${consoleUrl}/jobs/${paidId}/payouts`);
    const status = page.locator('[data-testid="ledger-status"]');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/verified/);
    expect(await status.getAttribute('class')).toMatch(/\bok\b/);
    await annotate('payouts', { path: await screenshot(page, shots, 'analyst-payouts'), contentType: 'image/png' });
    expect(errors).toEqual([]);
  }, 150_000);

  it("a second analyst sees none of the first analyst's jobs, and a direct URL to one is refused", async ({
    annotate,
  }) => {
    const alices = JSON.parse(tessera(['job', 'list', '--json', ...as('alice')], { env: env() }).stdout) as {
      id: string;
    }[];
    expect(alices.length).toBeGreaterThan(0);
    const { page } = await loggedIn('bob');
    expect(new URL(page.url()).pathname).toBe('/jobs');
    const list = await page.content();
    for (const j of alices) expect(list).not.toContain(j.id);
    const direct = await page.goto(`${consoleUrl}/jobs/${alices[0]!.id}`);
    expect(direct!.status()).toBe(403);
    await annotate('refused', { path: await screenshot(page, shots, 'second-analyst-403'), contentType: 'image/png' });
  }, 60_000);

  it("on a merchant's local page, a grant revoked with the button refuses the next task of a running job", async ({
    annotate,
  }) => {
    const merchant = nodes[0]!;
    // As the merchant would, on the node's machine while it runs: a link minted from the files beside its config.
    const minted = tessera(['participant', 'console-link', '--config', merchant.config, '--json']);
    expect(minted.code, minted.stderr + merchant.stderr()).toBe(0);
    const link = (JSON.parse(minted.stdout) as { url: string }).url;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/\S+$/);
    // stderr is not a terminal here: the node printed where its page is and how to log in, never a link.
    expect(merchant.stderr()).not.toContain('/login/');
    const { page, errors } = await newPage(browser);
    await page.goto(link);
    await expect.poll(() => page.locator('[data-testid="grant-alice-all-status"]').textContent()).toMatch(/active/);
    const spec = join(tmp.dir, 'long.yaml');
    writeFileSync(
      spec,
      'name: long\ndataset: patients\nlabel: benign\nrounds: 200\nminParticipants: 2\nseed: 1\n' +
        'local: { epochs: 5, batchSize: 16, learningRate: 0.1 }\n',
    );
    const id = submit(spec);
    await expect.poll(() => jobJson(id).roundsCompleted, { timeout: 60_000, interval: 300 }).toBeGreaterThan(0);
    await page.click('[data-testid="revoke-alice-all"]');
    await expect.poll(() => page.locator('[data-testid="grant-alice-all-status"]').textContent()).toMatch(/revoked/);
    await expect
      .poll(
        () =>
          jobJson(id)
            .refusals.filter((r) => r.participantId === merchant.id)
            .map((r) => r.reason),
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toContainEqual(expect.stringMatching(/revoked/));
    await annotate('merchant', { path: await screenshot(page, shots, 'merchant-revoked'), contentType: 'image/png' });
    tessera(['job', 'cancel', id, ...as('alice')], { env: env() });
    expect(errors).toEqual([]);
  }, 150_000);

  it('the operator sees a participant go offline within seconds of its process stopping', async ({ annotate }) => {
    const { page, errors } = await loggedIn('operator');
    await page.goto(`${consoleUrl}/operator/participants`);
    const victim = nodes[2]!;
    const state = page.locator(`[data-testid="participant-${victim.id}-state"]`);
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toMatch(/online/);
    const killedAt = Date.now();
    await killed(victim.proc, 'SIGKILL');
    await expect.poll(() => state.textContent(), { timeout: 15_000, interval: 100 }).toMatch(/offline/);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`operator page showed ${victim.name} offline ${seconds.toFixed(1)} s after SIGKILL`);
    expect(seconds).toBeLessThan(10);
    await annotate('offline', { path: await screenshot(page, shots, 'operator-offline'), contentType: 'image/png' });
    expect(errors).toEqual([]);
  }, 60_000);
});
