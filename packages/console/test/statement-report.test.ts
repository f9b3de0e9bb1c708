// The member's statement page: its amounts over time as a chart, the entries, the sales and the totals.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { renderStatementReport, type StatementPageInput } from '../src/report/index.js';
import { amountBars, dailyAmounts, MAX_ENTRY_BARS } from '../src/report/amounts-chart.js';
import { launchChromium, screenshot } from './browser.js';

const entry = (seq: number, timestamp: string, amount: number, sale: string, kind = 'payout') => ({
  seq,
  timestamp,
  kind,
  job: 'job-a+job-b',
  product: 'prod-1',
  sale,
  amount,
  currency: 'CNY',
  share: kind === 'refund' ? 0 : 0.25,
  method: kind === 'refund' ? 'refund' : 'records',
});

const input: StatementPageInput = {
  member: 'p-1',
  name: 'merchant-1 <north>',
  period: { from: '2026-11-01', to: null },
  entries: [
    entry(2, '2026-11-02T09:00:00.000Z', 30000, 'sale-1'),
    entry(6, '2026-11-02T15:00:00.000Z', 20000, 'sale-2'),
    entry(10, '2026-11-04T10:00:00.000Z', 12500, 'sale-3'),
    entry(14, '2026-11-05T11:00:00.000Z', -5000, 'sale-2', 'refund'),
  ],
  sales: [
    {
      id: 'sale-1',
      product: 'prod-1',
      buyer: 'bank',
      amount: 120000,
      currency: 'CNY',
      timestamp: '2026-11-02T09:00:00.000Z',
      refunded: 0,
      memberAmount: 30000,
    },
    {
      id: 'sale-2',
      product: 'prod-1',
      buyer: 'retailer',
      amount: 80000,
      currency: 'CNY',
      timestamp: '2026-11-02T15:00:00.000Z',
      refunded: 20000,
      memberAmount: 15000,
    },
  ],
  totals: [{ currency: 'CNY', paid: 62500, refunded: -5000, net: 57500, entries: 4 }],
  ledger: { entries: 16, head: 'ab'.repeat(32), coordinatorKey: 'cd'.repeat(32) },
  receipts: { ok: true, checked: 4, summary: '4 receipt(s) agree with the ledger' },
  generatedAt: '2026-11-06T08:00:00Z',
};

describe('statement page (self-contained HTML)', () => {
  it('sums amounts per UTC day, refunds included, in day order', () => {
    expect(dailyAmounts(input.entries)).toEqual([
      { day: '2026-11-02', amount: 50000, entries: 2 },
      { day: '2026-11-04', amount: 12500, entries: 1 },
      { day: '2026-11-05', amount: -5000, entries: 1 },
    ]);
  });

  it('gives each entry its own bar when all fall on one day, else sums them per day', () => {
    const oneDay = input.entries.map((e, i) => ({ ...e, timestamp: `2026-11-02T1${i}:00:00.000Z` }));
    expect(amountBars(oneDay)).toEqual({
      per: 'per entry on 2026-11-02 (UTC)',
      bars: [
        { day: '10:00:00', amount: 30000, entries: 1 },
        { day: '11:00:00', amount: 20000, entries: 1 },
        { day: '12:00:00', amount: 12500, entries: 1 },
        { day: '13:00:00', amount: -5000, entries: 1 },
      ],
    });
    expect(amountBars(input.entries)).toEqual({ per: 'per day', bars: dailyAmounts(input.entries) });
    const many = Array.from({ length: MAX_ENTRY_BARS + 1 }, (_, i) => ({ timestamp: oneDay[0]!.timestamp, amount: i }));
    expect(amountBars(many).bars).toHaveLength(1);
    // One day's page: a bar per entry (the refund's below the axis), not a single bar that says nothing.
    const html = renderStatementReport({ ...input, entries: oneDay });
    expect(html.match(/<rect class="bar"/g)).toHaveLength(3);
    expect(html.match(/<rect class="bar neg"/g)).toHaveLength(1);
    expect(html).toContain('CNY (minor units): per entry on 2026-11-02 (UTC) (bars)');
    expect(html).toContain('13:00:00: -5,000 CNY (1 entry), total 57,500');
  });

  it('has a chart per currency, the entries, sales and totals, the key to check with, and escapes names', () => {
    const html = renderStatementReport(input);
    expect(html.match(/<svg[^>]*data-chart="amounts-over-time"/g)).toHaveLength(1);
    // three days: three bars, one of them below the axis (a refund), and the running total through them
    expect(html.match(/<rect class="bar"/g)).toHaveLength(2);
    expect(html.match(/<rect class="bar neg"/g)).toHaveLength(1);
    expect(html).toMatch(/<path class="cum" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L[\d.]+ [\d.]+"/);
    expect(html).toContain('running total 57,500 CNY');
    for (const e of input.entries) expect(html).toContain(`<td>${e.amount} CNY</td>`);
    expect(html).toContain('<td>62500</td><td>-5000</td><td>57500</td>');
    expect(html).toContain('<td>retailer</td><td>80000 CNY</td><td>20000</td><td>15000</td>');
    expect(html).toContain('merchant-1 &lt;north&gt;');
    expect(html).not.toContain('<north>');
    expect(html).toContain(`--key ${'cd'.repeat(32)} --receipts receipts/`);
    expect(html).toMatch(/class="ok">Receipts: 4 receipt\(s\) agree/);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('renders in headless Chromium: the chart drew its bars and line, and a screenshot is saved', async () => {
    const dir = tempDir('tessera-statement-page-').dir;
    const htmlPath = join(dir, 'statement.html');
    writeFileSync(htmlPath, renderStatementReport(input));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const chart = page.locator('svg[data-chart="amounts-over-time"]');
      expect(await chart.count()).toBe(1);
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      const bars = chart.locator('rect.bar');
      expect(await bars.count()).toBe(3);
      // Drawn: every bar has a height on screen, and the refund's bar hangs below the others' baseline.
      const boxes = await Promise.all((await bars.all()).map((b) => b.boundingBox()));
      for (const b of boxes) expect(b!.height).toBeGreaterThan(2);
      expect(boxes[2]!.y).toBeGreaterThanOrEqual(boxes[0]!.y + boxes[0]!.height - 1);
      const line = await chart.locator('path.cum').boundingBox();
      expect(line!.width).toBeGreaterThan(100);
      expect(await page.locator('table').count()).toBe(3);
      // Ids and times are read whole: the entries' and sales' cells do not wrap.
      type Styles = { getComputedStyle(e: unknown): { whiteSpace: string } };
      for (const cell of await page.locator('section.ids tbody th, section.ids td').all())
        expect(await cell.evaluate((e) => (globalThis as unknown as Styles).getComputedStyle(e).whiteSpace)).toBe(
          'nowrap',
        );
      const path = await screenshot(page, dir, 'statement');
      console.log(`statement page screenshot: ${path}`);
      expect(statSync(path).size).toBeGreaterThan(10 * 1024);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 30_000);
});
