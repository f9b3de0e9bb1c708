// Noisy values in the text output are rounded to what their noise supports, and the ± is labelled.
import { describe, expect, it } from 'vitest';
import { capturedStdout } from './in-process.js';
import type { QueryJobResult } from '@tessera/sdk';
import { printQueryResult } from '../src/commands/query.js';
import { formatNoisy, SD_LEGEND } from '@tessera/console/report';

const result: QueryJobResult = {
  query: 'SELECT COUNT(*), SUM(order_value), AVG(order_value) FROM orders',
  suppressed: 0,
  privacy: { mode: 'distributed', epsilon: 1, delta: 1e-6, unit: 'record' } as QueryJobResult['privacy'],
  rows: [
    {
      'COUNT(*)': 1234.5678,
      'SUM(order_value)': 98765.4321,
      'AVG(order_value)': 80.123456,
      stddev: { 'COUNT(*)': 4.2, 'SUM(order_value)': 2100, 'AVG(order_value)': 0.034 },
      ci95: {},
    },
  ],
};

const captured = capturedStdout;

describe('noisy values in text output', () => {
  it('rounds a value to the order of magnitude of its noise sd, counts to whole numbers', () => {
    expect(formatNoisy(1234.5678, 4.2, true)).toBe('1235 ± sd 4');
    expect(formatNoisy(98765.4321, 2100)).toBe('99000 ± sd 2000');
    expect(formatNoisy(80.123456, 0.034)).toBe('80.12 ± sd 0.03');
    expect(formatNoisy(12.6, 0.3, true)).toBe('13 ± sd < 1');
    expect(formatNoisy(-3.7, 25, true)).toBe('0 ± sd 30');
    expect(formatNoisy(17, undefined, true)).toBe('17');
  });

  it('the query table shows no decimals on counts, labels ± as sd and prints the legend once', () => {
    const out = captured(() => printQueryResult(result));
    expect(out).toContain('1235 ± sd 4');
    expect(out).toContain('99000 ± sd 2000');
    expect(out).toContain('80.12 ± sd 0.03');
    expect(out).not.toMatch(/1234\.5/);
    expect(out).not.toMatch(/± \d/); // every ± says what it is
    expect(out.split(SD_LEGEND).length - 1).toBe(1);
  });

  it('a result without noise prints no legend and keeps its exact values', () => {
    const plain: QueryJobResult = {
      ...result,
      privacy: { ...result.privacy, epsilon: null } as QueryJobResult['privacy'],
      rows: [{ 'COUNT(*)': 42, 'AVG(order_value)': 80.5, stddev: {}, ci95: {} }],
    };
    const out = captured(() => printQueryResult(plain));
    expect(out).toContain('42');
    expect(out).toContain('80.5000');
    expect(out).not.toContain(SD_LEGEND);
  });
});
