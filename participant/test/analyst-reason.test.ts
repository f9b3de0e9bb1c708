// The reason a node sends the analyst names the problem, not the owner's file paths or its other columns.
import { describe, expect, it } from 'vitest';
import { analystReason } from '../src/analyst-reason.js';
import type { DatasetSource } from '../src/config.js';

const datasets: Record<string, DatasetSource> = {
  customers: { type: 'csv', path: '/srv/shop/private/customers.csv', exclude: [] },
  orders: { type: 'sqlite', path: '/srv/shop/private/shop.db', table: 'orders', exclude: [] },
};

describe('analystReason', () => {
  it('names the data set for its file and drops the column list', () => {
    const full =
      '/srv/shop/private/customers.csv: there is no label column "repurchase"; the columns are: id, email, ' +
      'postcode, spend. Check the spelling or choose one of these';
    expect(analystReason(full, datasets)).toBe('data set "customers": there is no label column "repurchase"');
  });

  it('hides any other absolute path and keeps text without paths as it is', () => {
    expect(analystReason('cannot open /home/ann/secret/ledger.sqlite: EACCES', datasets)).toBe(
      'cannot open (a local file): EACCES',
    );
    expect(analystReason('/srv/shop/private/shop.db:orders rowid 4, column "spend": not a number', datasets)).toBe(
      'data set "orders":orders rowid 4, column "spend": not a number',
    );
    expect(analystReason('the privacy budget of customers is spent (1.5 of 1.5)', datasets)).toBe(
      'the privacy budget of customers is spent (1.5 of 1.5)',
    );
  });

  it('keeps a cell value from the analyst: a spec could list a column one refused value at a time', () => {
    const full =
      '/srv/shop/private/customers.csv:7: column "segment": "platinum-vip" is not one of the job\'s classes ' +
      '(bronze, silver, gold); fix the value or remove the row';
    expect(analystReason(full, datasets)).toBe(
      'data set "customers":7: column "segment": the value is not one of the job\'s classes (bronze, silver, gold); ' +
        'fix the value or remove the row',
    );
    expect(
      analystReason('customers.csv:3: column "age": "4x" is not a number, and the label of a regression is', datasets),
    ).toBe('customers.csv:3: column "age": the value is not a number, and the label of a regression is');
  });
});
