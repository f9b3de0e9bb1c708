// `tessera products`: amounts, prices and currencies are checked before anything is sent, naming the flag.
import { describe, expect, it } from 'vitest';
import { parseMinorUnits } from '../src/sales/amount-flag.js';
import { runCli } from './in-process.js';

// No coordinator listens here: a flag error must come first, a good value gets as far as connecting.
const nowhere = ['--coordinator', '127.0.0.1:1', '--insecure', '--keys', '/nonexistent/tessera-keys.json'];

describe('tessera products: local flag checks', () => {
  it.each([
    [['add', '--job', 'job-1', '--name', 'n', '--price=-5', '--currency', 'CNY'], /--price .* -5 is negative/],
    [
      ['add', '--job', 'job-1', '--name', 'n', '--price', '12.5', '--currency', 'CNY'],
      /--price .* 12\.5 is fractional/,
    ],
    [
      ['add', '--job', 'job-1', '--name', 'n', '--price', 'ten', '--currency', 'CNY'],
      /--price .* "ten" is not a number/,
    ],
    [['add', '--job', 'job-1', '--name', 'n', '--price', '100', '--currency', 'cny'], /--currency .* got "cny"/],
    [
      ['add', '--job', 'job-1', '--name', 'n', '--price', '100', '--currency', 'CNY', '--valuation', 'shapley'],
      /--valuation must be job or equal, got "shapley"/,
    ],
    [['sell', 'prod-1', '--buyer', 'bank', '--amount=-1'], /--amount .* -1 is negative/],
    [['sell', 'prod-1', '--buyer', 'bank', '--amount', '0'], /--amount .* at least 1/],
    [['sell', 'prod-1', '--buyer', 'bank', '--amount', '99.99'], /--amount .* 99\.99 is fractional/],
    [['sell', 'prod-1', '--buyer', 'bank', '--currency', 'EURO'], /--currency .* got "EURO"/],
    [['refund', 'sale-1', '--amount', '1e3'], /--amount .* got "1e3"/],
    [['refund', 'sale-1', '--amount', 'all'], /--amount .* "all" is not a number/],
  ])('products %j is refused naming the flag', async (args, message) => {
    const r = await runCli(['products', ...args, ...nowhere]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('a good value passes the local check (and then fails on the missing identity, not on the flag)', async () => {
    const r = await runCli(['products', 'sell', 'prod-1', '--buyer', 'bank', '--amount', '120000', ...nowhere]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/--amount/);
    expect(r.stderr).toMatch(/tessera-keys\.json|keys/);
  });

  it('parseMinorUnits keeps whole numbers up to 2^53 - 1', () => {
    expect(parseMinorUnits('--price', '0')).toBe(0);
    expect(parseMinorUnits('--price', ' 120000 ')).toBe(120000);
    expect(parseMinorUnits('--price', String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseMinorUnits('--price', '9007199254740993')).toThrow(/--price/);
    expect(() => parseMinorUnits('--amount', '0', 1)).toThrow(/--amount .* at least 1/);
  });

  it('every subcommand has examples and --json in its help', async () => {
    for (const sub of ['add', 'list', 'show', 'sell', 'refund', 'sales']) {
      const r = await runCli(['products', sub, '--help']);
      expect(r.code, sub).toBe(0);
      expect(r.stdout, sub).toContain(`Usage: tessera products ${sub}`);
      expect(r.stdout, sub).toMatch(/Examples:\n\s+\$ tessera products/);
      expect(r.stdout, sub).toContain('--json');
    }
  });
});
