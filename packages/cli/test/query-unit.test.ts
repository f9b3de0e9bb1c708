import { describe, expect, it } from 'vitest';
import type { QueryJobResult } from '@tessera/sdk';
import { queryRequestFrom, unitLine } from '../src/commands/query.js';
import { reportInputOf } from '@tessera/console/report';
import { renderQueryReport } from '@tessera/console/report';
import { UsageError } from '../src/ui/errors.js';

const result = (privacy: QueryJobResult['privacy']): QueryJobResult => ({
  query: 'SELECT COUNT(*), SUM(order_value) FROM orders',
  suppressed: 0,
  privacy,
  rows: [
    {
      'COUNT(*)': 1234.5,
      'SUM(order_value)': 98765.4,
      stddev: { 'COUNT(*)': 4.2, 'SUM(order_value)': 2100 },
      ci95: { 'COUNT(*)': [1226.3, 1242.7], 'SUM(order_value)': [94649, 102881] },
    },
  ],
});
const BASE = { dp: 'distributed', epsilon: 1, delta: 1e-6 };

describe('tessera query: the privacy unit', () => {
  it(
    "--unit customer --user-column C --max-rows-per-user N become the spec's privacy fields; " +
      '--user-column alone means customer',
    () => {
      expect(
        queryRequestFrom('SELECT COUNT(*) FROM orders', {
          ...BASE,
          unit: 'customer',
          userColumn: 'customer_id',
          maxRowsPerUser: 2,
        }).privacy,
      ).toEqual({
        mode: 'distributed',
        epsilon: 1,
        delta: 1e-6,
        unit: 'customer',
        userColumn: 'customer_id',
        maxRowsPerUser: 2,
      });
      expect(
        queryRequestFrom('SELECT COUNT(*) FROM orders', { ...BASE, userColumn: 'customer_id' }).privacy,
      ).toMatchObject({ unit: 'customer', userColumn: 'customer_id' });
      expect(queryRequestFrom('SELECT COUNT(*) FROM orders', BASE).privacy).toEqual({
        mode: 'distributed',
        epsilon: 1,
        delta: 1e-6,
      });
    },
  );

  it('refuses an incomplete or contradictory unit, naming the flag', () => {
    const bad: Array<[object, RegExp]> = [
      [{ unit: 'customer' }, /--unit customer needs --user-column/],
      [{ unit: 'household', userColumn: 'c' }, /--unit must be record or customer/],
      [
        { unit: 'customer', userColumn: 'c', maxRowsPerUser: 0 },
        /--max-rows-per-user must be a whole number of at least 1/,
      ],
      [{ dp: 'none', unit: 'customer', userColumn: 'c' }, /--unit customer is a differential privacy guarantee/],
    ];
    for (const [o, re] of bad) {
      expect(() => queryRequestFrom('SELECT COUNT(*) FROM orders', { ...BASE, ...o })).toThrow(UsageError);
      expect(() => queryRequestFrom('SELECT COUNT(*) FROM orders', { ...BASE, ...o })).toThrow(re);
    }
  });

  it('the printed line and the HTML report say which unit the guarantee covers', () => {
    const customer = {
      epsilon: 1,
      delta: 1e-6,
      mode: 'distributed',
      unit: 'customer' as const,
      userColumn: 'customer_id',
      maxRowsPerUser: 2,
      calibration: 'analytic-gaussian' as const,
    };
    expect(unitLine(customer)).toBe('per customer (customer_id, at most 2 rows each)');
    expect(unitLine({ ...customer, unit: 'record' })).toBe('per row (unit record)');
    const html = renderQueryReport(reportInputOf(result(customer), { participants: 3 }));
    expect(html).toContain(
      'The guarantee covers each customer (unit customer): every participant kept at most 2 rows per customer, ' +
        'identified by column customer_id',
    );
    const record = renderQueryReport(
      reportInputOf(result({ epsilon: 1, delta: 1e-6, mode: 'distributed', unit: 'record' }), { participants: 3 }),
    );
    expect(record).toContain('The guarantee covers each single row (unit record)');
    const none = renderQueryReport(
      reportInputOf(result({ epsilon: null, delta: null, mode: 'none' }), { participants: 3 }),
    );
    expect(none).not.toContain('The guarantee covers');
  });
});
