import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import type { PayoutsView } from '@tessera/sdk';
import { renderPayoutReport } from '@tessera/console/report';
import { requireChromium } from './chromium.js';

const paid: PayoutsView = {
  status: 'paid',
  method: 'shapley',
  metric: 'logLoss',
  pool: 100000,
  currency: 'CNY',
  evaluations: 320,
  valuationSeconds: 0.04,
  entries: [
    { participant: 'p-1', value: 0.2395, share: 0.3248, amount: 32481, seq: 1 },
    { participant: 'p-2', value: 0.254, share: 0.3445, amount: 34451, seq: 2 },
    { participant: 'p-3', value: 0.2438, share: 0.3307, amount: 33068, seq: 3 },
    { participant: 'p-4', value: -0.3432, share: 0, amount: 0, seq: 4 },
  ],
  ledgerHead: 'ab'.repeat(32),
  coordinatorPublicKey: 'cd'.repeat(32),
};
const names = { 'p-1': 'merchant-1', 'p-2': 'merchant-2', 'p-3': 'merchant-3', 'p-4': 'merchant-4 <noisy>' };

describe('payout report (self-contained HTML)', () => {
  it('has the split as charts, every entry, the key to verify with, and escapes names', () => {
    const html = renderPayoutReport({ jobId: 'job-1', payouts: paid, names });
    expect(html.match(/<svg[^>]*data-chart="bar"/g)).toHaveLength(2);
    for (const e of paid.entries) expect(html).toContain(`<td>${e.amount}</td>`);
    expect(html).toContain('merchant-4 &lt;noisy&gt;');
    expect(html).not.toContain('<noisy>');
    expect(html).toMatch(/paid nothing \(here: merchant-4 &lt;noisy&gt;\)/);
    expect(html).toContain(`tessera ledger verify ledger.jsonl --key ${'cd'.repeat(32)}`);
    expect(html).toMatch(/disclosed its per-round model updates/);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('says why nothing was paid', () => {
    const html = renderPayoutReport({
      jobId: 'job-2',
      payouts: { ...paid, status: 'refused', reason: 'p-2: consent: no grant allows valuation', entries: [] },
    });
    expect(html).toMatch(/No payout was made \(refused\): p-2: consent: no grant allows valuation/);
    expect(html).not.toMatch(/<svg/);
  });

  it('renders both charts in headless Chromium and saves a screenshot', async () => {
    const executablePath = requireChromium();
    const { chromium } = await import('playwright-core');
    const dir = tempDir('tessera-payout-report-').dir;
    const htmlPath = join(dir, 'payout.html');
    const pngPath = join(dir, 'payout.png');
    writeFileSync(
      htmlPath,
      renderPayoutReport({ jobId: 'job-1', payouts: paid, names, generatedAt: '2026-11-22T08:00:00Z' }),
    );
    const browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const charts = page.locator('svg[data-chart]');
      expect(await charts.count()).toBe(2);
      for (const chart of await charts.all()) {
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(100);
        expect(await chart.locator('rect').count()).toBeGreaterThanOrEqual(4);
      }
      await page.screenshot({ path: pngPath, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    console.log(`payout report screenshot: ${pngPath}`);
    expect(statSync(pngPath).size).toBeGreaterThan(10 * 1024);
  }, 20_000);
});
