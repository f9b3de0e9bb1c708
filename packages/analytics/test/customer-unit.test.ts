import { describe, expect, it } from 'vitest';
import { seededRandom, systemRandom } from '@tessera/crypto';
import type { RawTable } from '@tessera/data';
import {
  capRowsPerUser,
  checkColumns,
  evaluateLocally,
  parseQuery,
  planQuery,
  QueryError,
  type QueryOptions,
} from '../src/index.js';
import { table } from './helpers.js';

const OPTS: QueryOptions = { bounds: { value: [0, 100] }, domains: { region: ['north', 'south'] } };
const CUSTOMER = { unit: 'customer' as const, userColumn: 'customer', maxRowsPerUser: 3 };

/** Orders of `customers` customers with 1..8 orders each, region and value drawn from `seed`. */
function orders(customers: number, seed: string): RawTable {
  const rng = seededRandom(`customer-unit/${seed}`);
  const rows: string[][] = [];
  for (let c = 0; c < customers; c++) {
    const n = 1 + rng.int(8);
    for (let k = 0; k < n; k++)
      rows.push([
        `c${c}`,
        rng.int(2) ? 'north' : 'south',
        (rng.int(12000) / 100).toFixed(2),
        rng.int(4) ? 'paid' : 'refunded',
      ]);
  }
  // Shuffle so a customer's orders are spread over the table.
  rng.shuffle(rows);
  return table(['customer', 'region', 'value', 'status'], rows);
}

const norm = (a: Float64Array, b: Float64Array, scale: Float64Array) =>
  Math.sqrt(a.reduce((s, v, i) => s + ((v - b[i]) / scale[i]) ** 2, 0));

describe('privacy unit customer: the plan', () => {
  it('multiplies the record sensitivity by maxRowsPerUser and reads the user column', () => {
    const sql = "SELECT region, COUNT(*), SUM(value), AVG(value) FROM orders WHERE status = 'paid' GROUP BY region";
    const record = planQuery(parseQuery(sql), OPTS);
    const customer = planQuery(parseQuery(sql), OPTS, CUSTOMER);
    expect(record.unit).toEqual({ unit: 'record' });
    expect(record.sensitivity).toBe(record.recordSensitivity);
    expect(customer.recordSensitivity).toBe(record.sensitivity);
    expect(customer.sensitivity).toBeCloseTo(3 * record.sensitivity, 12);
    expect(customer.columns).toEqual([...record.columns, 'customer']);
    expect(Array.from(customer.scale)).toEqual(Array.from(record.scale));
  });

  it('refuses a customer unit without a user column or with a cap that is not a positive whole number', () => {
    const q = parseQuery('SELECT COUNT(*) FROM orders');
    expect(() => planQuery(q, OPTS, { unit: 'customer', userColumn: ' ', maxRowsPerUser: 1 })).toThrow(
      /privacy\.userColumn must name the column/,
    );
    for (const cap of [0, 1.5, -2, 20_000]) {
      expect(() => planQuery(q, OPTS, { ...CUSTOMER, maxRowsPerUser: cap })).toThrow(QueryError);
      expect(() => planQuery(q, OPTS, { ...CUSTOMER, maxRowsPerUser: cap })).toThrow(/privacy\.maxRowsPerUser/);
    }
  });

  it('names the user column when the table lacks it', () => {
    const plan = planQuery(parseQuery('SELECT COUNT(*) FROM orders'), OPTS, { ...CUSTOMER, userColumn: 'Customer' });
    expect(() => checkColumns(plan, orders(5, 'cols'))).toThrow(
      /privacy\.userColumn "Customer" is not a column of table orders .*Did you mean "customer"/,
    );
  });
});

describe('capRowsPerUser', () => {
  const plan = planQuery(
    parseQuery("SELECT region, COUNT(*), SUM(value) FROM orders WHERE status = 'paid' GROUP BY region"),
    OPTS,
    CUSTOMER,
  );

  it('keeps at most maxRowsPerUser contributing rows per customer, all of them below the cap, in table order', () => {
    const t = orders(200, 'cap');
    const { table: kept, cappedCustomers } = capRowsPerUser(plan, t, systemRandom());
    const contributing = new Map<string, string[][]>();
    for (const r of t.rows) if (r[3] === 'paid') contributing.set(r[0], [...(contributing.get(r[0]) ?? []), r]);
    const keptBy = new Map<string, string[][]>();
    for (const r of kept.rows) keptBy.set(r[0], [...(keptBy.get(r[0]) ?? []), r]);
    expect(kept.rows.every((r) => r[3] === 'paid')).toBe(true);
    let capped = 0;
    for (const [c, rows] of contributing) {
      const k = keptBy.get(c) ?? [];
      expect(k.length).toBe(Math.min(3, rows.length));
      if (rows.length > 3) capped++;
      else expect(k).toEqual(rows);
      for (const r of k) expect(rows).toContainEqual(r);
    }
    expect(cappedCustomers).toBe(capped);
    expect(capped).toBeGreaterThan(20);
    const positions = kept.rows.map((r) => t.rows.findIndex((x) => x.join() === r.join()));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('drops rows without a customer key (no cap could bound whose they are)', () => {
    const t = table(
      ['customer', 'region', 'value', 'status'],
      [
        ['', 'north', '5', 'paid'],
        ['NA', 'north', '5', 'paid'],
        ['c1', 'north', '5', 'paid'],
      ],
    );
    const r = capRowsPerUser(plan, t, systemRandom());
    expect(r.table.rows).toEqual([['c1', 'north', '5', 'paid']]);
    expect(r.unkeyedRows).toBe(2);
  });

  it("draws a uniform sample of a customer's rows with the CSPRNG: every row and pair about equally often", () => {
    const one = planQuery(parseQuery('SELECT COUNT(*), SUM(value) FROM orders'), OPTS, {
      ...CUSTOMER,
      maxRowsPerUser: 2,
    });
    const t = table(
      ['customer', 'region', 'value', 'status'],
      [0, 1, 2, 3, 4].map((v) => ['c', 'north', String(v), 'paid']),
    );
    const reps = 4000;
    const rowHits = new Array<number>(5).fill(0);
    const pairHits = new Map<string, number>();
    // Seeded (an AES-256-CTR keystream, as systemRandom() is a CSPRNG stream), so the counts cannot flake.
    const rng = seededRandom('customer-unit/uniform-sample');
    for (let i = 0; i < reps; i++) {
      const kept = capRowsPerUser(one, t, rng).table.rows.map((r) => Number(r[2]));
      expect(kept).toHaveLength(2);
      for (const v of kept) rowHits[v]++;
      pairHits.set(kept.join(), (pairHits.get(kept.join()) ?? 0) + 1);
    }
    // Each row is kept with probability 2/5 (sd 0.0077 over 4000 draws), each of the 10 pairs with 1/10 (sd 0.0047): 5
    // sd margins.
    for (const h of rowHits) expect(Math.abs(h / reps - 0.4)).toBeLessThan(0.04);
    expect(pairHits.size).toBe(10);
    for (const h of pairHits.values()) expect(Math.abs(h / reps - 0.1)).toBeLessThan(0.024);
  });

  it(
    "with the same secret draw, adding a customer changes nothing but that customer's own kept rows " +
      '(≤ maxRowsPerUser x the record sensitivity)',
    () => {
      for (let trial = 0; trial < 20; trial++) {
        const base = orders(60, `coupled-${trial}`);
        const rng = seededRandom(`trial-${trial}`);
        const many = Array.from({ length: 5 + rng.int(40) }, () => [
          'whale',
          rng.int(2) ? 'north' : 'south',
          '100',
          'paid',
        ]);
        // The new customer's rows land anywhere in the table.
        const rows = [...base.rows];
        for (const r of many) rows.splice(rng.int(rows.length + 1), 0, r);
        const withWhale = table(base.columns, rows);
        const a = evaluateLocally(plan, capRowsPerUser(plan, base, seededRandom(`key-${trial}`)).table);
        const b = evaluateLocally(plan, capRowsPerUser(plan, withWhale, seededRandom(`key-${trial}`)).table);
        // The same customer's rows alone, in the order the table holds them.
        const whaleOnly = evaluateLocally(
          plan,
          capRowsPerUser(
            plan,
            table(
              base.columns,
              rows.filter((r) => r[0] === 'whale'),
            ),
            seededRandom(`key-${trial}`),
          ).table,
        );
        b.forEach((v, i) => expect(v - a[i]).toBeCloseTo(whaleOnly[i], 9));
        expect(norm(b, a, plan.scale)).toBeLessThanOrEqual(plan.sensitivity + 1e-9);
        // The whale's kept rows: exactly the cap.
        expect(whaleOnly[0] + whaleOnly[plan.groups.slots.length]).toBe(3);
      }
    },
  );
});
