import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseJobSpec, JOB_SPEC_DEFAULTS } from '@tessera/coordinator';
import { datasetRules, loadConsentPolicy, parseParticipantConfig } from '@tessera/participant';

const at = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const WALKTHROUGH_FILES = [
  'customers.csv',
  'orders.csv',
  'merchant-b/customers.csv',
  'merchant-b/orders.csv',
  'new_customers.csv',
];

describe('examples', () => {
  it('the SDK quickstart runs and reports a held-out AUC', () => {
    const r = spawnSync(process.execPath, [at('sdk/quickstart.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/job job-[0-9a-f]+: completed/);
    const auc = Number(/held-out AUC ([0-9.]+)/.exec(r.stdout)![1]);
    expect(auc).toBeGreaterThan(0.95);
  });

  it('the example job spec is valid and documents the defaults', () => {
    const spec = parseJobSpec(parse(readFileSync(at('jobs/repurchase.yaml'), 'utf8')));
    expect(spec.rounds).toBe(JOB_SPEC_DEFAULTS.rounds);
    expect(spec.local).toEqual(JOB_SPEC_DEFAULTS.local);
    expect(spec.minParticipants).toBe(JOB_SPEC_DEFAULTS.minParticipants);
  });

  it('the example participant config and its consent policy are valid', () => {
    const c = parseParticipantConfig(
      parse(readFileSync(at('participant.example.yaml'), 'utf8')),
      'participant.example.yaml',
      '/srv',
    );
    expect(Object.keys(c.datasets)).toEqual(['customers', 'orders']);
    expect(c.datasets.customers.budget).toEqual({ epsilon: 10, delta: 1e-6, unit: 'record' });
    expect(c.policy).toBe('/srv/policy.example.yaml');
    const policy = loadConsentPolicy(at('policy.example.yaml'), { datasets: Object.keys(c.datasets) });
    expect(datasetRules(policy, 'customers')).toEqual({
      minGroupSize: 20,
      identifierColumns: ['customer_id', 'email', 'phone'],
      allowIdentifierQueries: false,
      allowWithoutPrivacy: false,
    });
    expect(datasetRules(policy, 'orders')).toMatchObject({ minGroupSize: 20, allowWithoutPrivacy: false });
    expect(policy.grants.map((g) => g.id)).toEqual(['anyone-queries', 'acme-train']);
  });

  it("the README walkthrough data: two merchants' customers and orders, new customers, unique identifiers", () => {
    const rows = (f: string) =>
      readFileSync(at(`data/${f}`), 'utf8')
        .trim()
        .split('\n');
    for (const [f, n] of [
      ['customers.csv', 600],
      ['merchant-b/customers.csv', 600],
      ['new_customers.csv', 200],
    ] as const) {
      const [header, ...lines] = rows(f);
      expect(header.split(',').slice(0, 2)).toEqual(['customer_id', 'merchant']);
      expect(header.split(',').at(-1)).toBe('repurchase');
      expect(lines).toHaveLength(n);
      expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(n);
    }
    expect(rows('customers.csv')[2]).toMatch(/^m1-000002,m1,/);
    expect(rows('merchant-b/customers.csv')[1]).toMatch(/^m2-000001,m2,/);
    // The checked-in files are exactly what the seeded generator writes.
    const dir = mkdtempSync(join(tmpdir(), 'tessera-examples-'));
    try {
      const r = spawnSync(process.execPath, [at('data/make-customers.mjs'), dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      for (const f of WALKTHROUGH_FILES)
        expect(readFileSync(join(dir, f)).equals(readFileSync(at(`data/${f}`))), f).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Each merchant's orders belong to its customers and add up, to the cent, to each customer's monetary_total.
    for (const [orders, customers] of [
      ['orders.csv', 'customers.csv'],
      ['merchant-b/orders.csv', 'merchant-b/customers.csv'],
    ] as const) {
      const [header, ...lines] = rows(orders);
      expect(header).toBe('order_id,customer_id,region,category,order_value,days_ago');
      expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(lines.length);
      const cents = new Map<string, number>();
      for (const l of lines) {
        const [, id, , , value] = l.split(',');
        cents.set(id!, (cents.get(id!) ?? 0) + Math.round(Number(value) * 100));
      }
      const [head, ...people] = rows(customers);
      const total = head.split(',').indexOf('monetary_total');
      for (const p of people) {
        const cells = p.split(',');
        expect(cents.get(cells[0]!) ?? 0, cells[0]).toBe(Math.round(Number(cells[total]) * 100));
      }
    }
  });

  it('the example job spec is private, as a node initialised with the starter policy requires', () => {
    const spec = parseJobSpec(parse(readFileSync(at('jobs/repurchase.yaml'), 'utf8')));
    expect(spec.privacy).toMatchObject({ mode: 'distributed', unit: 'record', epsilon: 4, delta: 1e-6 });
    expect(spec.validationFraction).toBe(0);
  });
});
