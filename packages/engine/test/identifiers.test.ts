import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine, quoteIdentifier, quoteLiteral } from '@tessera/engine';

// A header whose names need quoting: a double quote, spaces, a comma, and one that reads like an injection.
const NAMES = ['amount', 'say "hi"', 'region name', 'a,b', 'x"; DROP TABLE t; --'];
const HEADER = NAMES.map((n) => `"${n.replaceAll('"', '""')}"`).join(',');

let dir: string;
let path: string;
let engine: LocalEngine;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-ids-'));
  path = join(dir, 'orders.csv');
  writeFileSync(path, `${HEADER}\n10,hello,north,1,evil\n20,"quoted ""cell""",south,2,still data\n`);
  engine = await LocalEngine.open({ threads: 1 });
  await engine.register('orders', { type: 'csv', path });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const ATTEMPTS: [string, string][] = [
  ['closing the quote and dropping a table', 'amount"; DROP TABLE t; --'],
  ['the injection-like column name without its quote', 'x; DROP TABLE t; --'],
  ['a tautology', 'a" OR "1"="1'],
  ['a tautology after a real name', 'amount" OR "1"="1'],
  ['a subquery after a real name', 'amount", (SELECT 1) AS "z'],
  ['a comment after a real name', 'amount"--'],
  ['a NUL byte', 'amount\u0000'],
  ['a NUL byte inside', 'am\u0000ount'],
  ['backticks', '`amount`'],
  ['brackets', '[amount]'],
  ['the name already quoted', '"amount"'],
  ['a semicolon', 'amount;'],
  ['a statement after a semicolon', 'amount; SELECT 1'],
  ['single quotes', "amount' OR '1'='1"],
  ['a Cyrillic look-alike letter', '\u0430mount'],
  ['fullwidth letters', '\uff41\uff4d\uff4f\uff55\uff4e\uff54'],
  ['a zero-width space', 'am\u200bount'],
  ['a combining mark', 'amount\u0301'],
  ['another case', 'Amount'],
  ['upper case', 'AMOUNT'],
  ['a trailing space', 'amount '],
  ['a leading space', ' amount'],
  ['a trailing tab', 'amount\t'],
  ['a real name with its quote undoubled', 'say "hi'],
  ['an empty name', ''],
  ['a star', '*'],
  ['a qualified name', 'orders.amount'],
];

describe('engine.column: the schema check every analyst-given name passes', () => {
  it.each(ATTEMPTS)('refuses %s', (_what, name) => {
    let err: unknown;
    try {
      engine.column('orders', name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const e = err as DataError;
    expect(e.source).toBe(path);
    expect(e.column).toBe(name);
    expect(e.message).toContain('there is no such column (the columns are: amount, say "hi", region name, a,b');
  });

  it('refuses the same names in a batch read before any SQL runs', async () => {
    for (const [, name] of ATTEMPTS) {
      const read = async () => {
        for await (const _ of engine.batches('orders', ['amount', name])) {
          // never reached
        }
      };
      await expect(read()).rejects.toBeInstanceOf(DataError);
    }
  });

  it('serves columns whose names need quoting, including one that reads like an injection', async () => {
    expect(engine.column('orders', 'say "hi"')).toBe('"say ""hi"""');
    const rows: string[][] = [];
    for await (const b of engine.batches('orders', ['say "hi"', 'x"; DROP TABLE t; --', 'a,b'])) rows.push(...b.rows);
    expect(rows).toEqual([
      ['hello', 'evil', '1'],
      ['quoted "cell"', 'still data', '2'],
    ]);
    const sum = await engine.connection.runAndReadAll(
      `SELECT sum(CAST(${engine.column('orders', 'amount')} AS INTEGER)), ` +
        `max(${engine.column('orders', 'x"; DROP TABLE t; --')}) FROM ${engine.relation('orders')}`,
    );
    expect(sum.getRows()[0]).toEqual([30n, 'still data']);
  });

  it('quotes identifiers and literals so that nothing closes them, and refuses NUL outright', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteLiteral('a\u0000b')).toThrow(/NUL/);
  });

  it('refuses a data set the engine does not serve', () => {
    expect(() => engine.column('customers', 'amount')).toThrow(DataError);
    expect(() => engine.column('customers', 'amount')).toThrow(/serves no data set "customers"/);
  });
});
