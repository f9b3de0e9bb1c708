import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { renderQueryReport, type QueryReportInput, type QueryReportRow } from '@tessera/console/report';
import { launchChromium } from '../../console/test/browser.js';

/** A row with a symmetric 95% CI (1.96 standard deviations) around each aggregate. */
function row(groups: Record<string, string>, values: Record<string, [value: number, sd: number]>): QueryReportRow {
  const out: QueryReportRow = { ...groups, stddev: {}, ci95: {} };
  for (const [k, [v, sd]] of Object.entries(values)) {
    out[k] = v;
    out.stddev[k] = sd;
    out.ci95[k] = [v - 1.96 * sd, v + 1.96 * sd];
  }
  return out;
}

/** A market-insight query over a federation of merchants. */
function marketInsight(): QueryReportInput {
  const regions = ['North', 'South', 'East', 'West'];
  const categories = ['Grocery', 'Electronics', 'Apparel'];
  const rows: QueryReportRow[] = [];
  regions.forEach((region, i) =>
    categories.forEach((category, j) =>
      rows.push(
        row(
          { region, category },
          {
            'COUNT(*)': [1200 + 340 * ((i + 2 * j) % 4) - 90 * j, 2.8],
            repurchase_rate: [0.22 + 0.05 * i + 0.03 * j, 0.012],
            'AVG(order_value)': [38 + 11 * j + 4 * i, 0.9],
          },
        ),
      ),
    ),
  );
  return {
    title: 'Market insight Q2: category share by region',
    query:
      'SELECT region, category, COUNT(*), AVG(repurchased) AS repurchase_rate, ' +
      'AVG(order_value)\nFROM orders\nGROUP BY region, category\nHAVING COUNT(*) >= 50',
    generatedAt: '2025-06-30T12:00:00.000Z',
    participants: 14,
    rows,
    groupColumns: ['region', 'category'],
    aggregates: ['COUNT(*)', 'repurchase_rate', 'AVG(order_value)'],
    suppressed: 2,
    histograms: {
      basket_size: {
        edges: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
        // The last bin's noisy count fell below zero, as Laplace noise on a small bin can make it.
        counts: [0, 4120, 3650, 2480, 1530, 980, 1010, 420, 260, -200],
      },
      payment_method: { categories: ['card', 'wallet', 'invoice', 'cash'], counts: [8200, 3900, 1250, 640] },
    },
    quantiles: {
      order_value: [
        { q: 0.05, value: 7.9 },
        { q: 0.25, value: 19.5 },
        { q: 0.5, value: 34.2 },
        { q: 0.75, value: 58.8 },
        { q: 0.95, value: 131.4 },
      ],
    },
    topK: {
      product: [
        { item: 'Oat milk 1 l', count: 2310 },
        { item: 'USB-C cable 2 m', count: 1875 },
        { item: 'Cotton T-shirt', count: 1640 },
        { item: 'Espresso beans 500 g', count: 1422 },
        { item: 'Wireless earbuds', count: 1190 },
      ],
    },
    privacy: {
      epsilon: 1.5,
      delta: 1e-6,
      mode: 'distributed',
      noiseStd: { 'COUNT(*)': 2.8, repurchase_rate: 0.012, 'AVG(order_value)': 0.9 },
    },
    secure: { mode: 'masked' },
  };
}

const count = (html: string, s: string): number => html.split(s).length - 1;

describe('renderQueryReport', () => {
  it('is self-contained: no http(s) references, no scripts', () => {
    const html = renderQueryReport(marketInsight());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
  });

  it('escapes text from the input', () => {
    const evil = '<script>alert(1)</script>';
    const input = marketInsight();
    input.title = evil;
    input.query = `SELECT '${evil}'`;
    input.rows[0].region = evil;
    input.aggregates[1] = '"><img src=x onerror=alert(1)>';
    input.rows.forEach((r) => (r['"><img src=x onerror=alert(1)>'] = 0.3));
    input.topK!.product[0].item = evil;
    input.histograms!.payment_method.categories![0] = evil;
    input.secure.mode = evil;
    const html = renderQueryReport(input);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('draws one accessible chart per aggregate, histogram, quantiles entry and top-k list', () => {
    const input = marketInsight();
    const html = renderQueryReport(input);
    expect(count(html, 'data-chart="bar"')).toBe(input.aggregates.length);
    expect(count(html, 'data-chart="histogram"')).toBe(Object.keys(input.histograms!).length);
    expect(count(html, 'data-chart="quantiles"')).toBe(Object.keys(input.quantiles!).length);
    expect(count(html, 'data-chart="topk"')).toBe(Object.keys(input.topK!).length);
    expect(html).toContain('data-series="COUNT(*)"');
    const svgs = html.match(/<svg[^>]*>/g) ?? [];
    expect(svgs).toHaveLength(3 + 2 + 1 + 1);
    for (const s of svgs) expect(s).toMatch(/role="img" aria-label="[^"]+"/);
    expect(html.match(/<svg[^>]*><title>[^<]+<\/title>/g) ?? []).toHaveLength(svgs.length);
    // COUNT(*) bars are labelled with each category's share within its region.
    expect(html).toMatch(/share within each region/);
    // The table lists every row with ± stddev; the privacy statement covers ε, δ, noise, suppression, secure mode.
    expect(count(html, '<tr>')).toBe(input.rows.length + 1);
    // Rounded to the noise: COUNT(*) with sd 2.8 is a whole number ± sd 3; the AVG with sd 0.9 to units.
    expect(html).toMatch(/<td[^>]*>\d+ <span class="sd">± sd 3<\/span><\/td>/);
    expect(html).toMatch(/<td[^>]*>0\.\d\d <span class="sd">± sd 0\.01<\/span><\/td>/);
    expect(html).toMatch(/one standard deviation of the noise/);
    expect(html).toMatch(/ε = 1\.5.*δ = 0\.000001/);
    expect(html).toMatch(/Noise scale .*COUNT\(\*\) 2\.8/);
    expect(html).toMatch(/2 groups were suppressed/);
    expect(html).toMatch(/coordinator saw the sum/);
  });

  it('draws a negative noisy histogram count at zero and says so in the caption', () => {
    const html = renderQueryReport(marketInsight());
    const hist = html.match(/<svg[^>]*data-chart="histogram"[^>]*data-series="basket_size"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(hist).not.toBe('');
    const bars = [...hist.matchAll(/<rect class="bar hist" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"/g)];
    expect(bars).toHaveLength(10);
    const bottoms = bars.map((b) => Number(b[1]) + Number(b[2]));
    // Every bar stands on the zero line: none hangs below it.
    for (const b of bottoms.slice(0, 9)) expect(Math.abs(b - bottoms[0]!)).toBeLessThan(1);
    expect(Number(bars[9]![1])).toBeGreaterThanOrEqual(bottoms[0]! - 1);
    expect(hist).toContain('15–20: 0 (noisy count -200, drawn at zero)');
    expect(html).toMatch(/1 bin with a negative noisy count is drawn at zero/);
  });

  it('a single-row result with only a histogram still fills the Results table', () => {
    const input: QueryReportInput = {
      ...marketInsight(),
      query: 'SELECT HISTOGRAM(order_value) FROM orders',
      rows: [{ stddev: {}, ci95: {} }],
      groupColumns: [],
      aggregates: [],
      histograms: { order_value: { edges: [0, 10, 20], counts: [35.6, -4.2] } },
      quantiles: {},
      topK: {},
    };
    const html = renderQueryReport(input);
    const results = html.slice(html.indexOf('Results</h2>'));
    expect(results).toMatch(/<caption>Histogram of order_value/);
    expect(count(results, '<td>')).toBe(2);
    expect(results).toContain('0 (noisy -4.2)');
    expect(results).not.toMatch(/<tr><\/tr>|<thead><tr><\/tr>/);
  });

  it('states when there is no differential privacy and no secure aggregation', () => {
    const input = {
      ...marketInsight(),
      privacy: { epsilon: null, delta: null, mode: 'none' },
      secure: { mode: 'none' },
      suppressed: 0,
    };
    const html = renderQueryReport(input);
    expect(html).toMatch(/No differential privacy/);
    expect(html).toMatch(/No groups were suppressed/);
    expect(html).toMatch(/No secure aggregation/);
  });

  it('renders every chart in headless Chromium and saves a screenshot', async ({ annotate }) => {
    const dir = tempDir('tessera-report-').dir;
    const htmlPath = join(dir, 'market-insight.html');
    const pngPath = join(dir, 'market-insight.png');
    writeFileSync(htmlPath, renderQueryReport(marketInsight()));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
      const charts = page.locator('svg[data-chart]');
      expect(await charts.count()).toBe(7);
      for (const chart of await charts.all()) {
        const kind = await chart.getAttribute('data-chart');
        const box = await chart.boundingBox();
        expect(box, kind ?? '').not.toBeNull();
        expect(box!.width).toBeGreaterThan(100);
        expect(box!.height).toBeGreaterThan(100);
        const marks = await chart.locator('rect, path, circle').count();
        expect(marks, `${kind} marks`).toBeGreaterThan(0);
        const first = chart.locator('rect, path').first();
        const markBox = await first.boundingBox();
        expect(markBox && markBox.width * markBox.height, `${kind} first mark`).toBeGreaterThan(0);
        if (kind === 'histogram') {
          // No negative bars: every bar's bottom edge sits on the same zero line, as rendered.
          const bottoms: number[] = [];
          for (const bar of await chart.locator('rect.hist').all()) {
            const b = await bar.boundingBox();
            if (b) bottoms.push(b.y + b.height);
          }
          expect(bottoms.length, 'histogram bars').toBeGreaterThan(0);
          expect(Math.max(...bottoms) - Math.min(...bottoms), 'a histogram bar below zero').toBeLessThan(1);
        }
      }
      await page.screenshot({ path: pngPath, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
    console.log(`report screenshot: ${pngPath} (html: ${htmlPath})`);
    expect(statSync(pngPath).size).toBeGreaterThan(10 * 1024);
    // Attached to the test's result: reporters show it, and vitest keeps a copy after the temp directory is gone.
    await annotate('report screenshot', { path: pngPath, contentType: 'image/png' });
  }, 20_000);
});
