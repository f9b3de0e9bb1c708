import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { parseCsv, readCsvFile, selectRows, toCsv } from '../src/index.js';
import { dataErrorOf } from './helpers/errors.js';

describe('parseCsv', () => {
  test('reads quoted values with commas, doubled quotes and line breaks', () => {
    const t = parseCsv('name,note\n"Smith, Ann","said ""hi"""\n"multi\nline",plain\nlast,x\n', 'q.csv');
    expect(t.columns).toEqual(['name', 'note']);
    expect(t.rows).toEqual([
      ['Smith, Ann', 'said "hi"'],
      ['multi\nline', 'plain'],
      ['last', 'x'],
    ]);
    expect([0, 1, 2].map(t.lineOf)).toEqual([2, 3, 5]);
  });

  test('accepts CRLF line ends, with or without a trailing newline', () => {
    const crlf = parseCsv('a,b\r\n1,2\r\n"x\r\ny",4\r\n5,6\r\n', 'w.csv');
    expect(crlf.rows).toEqual([
      ['1', '2'],
      ['x\r\ny', '4'],
      ['5', '6'],
    ]);
    expect([0, 1, 2].map(crlf.lineOf)).toEqual([2, 3, 5]);
    expect(parseCsv('a,b\r\n1,2', 'w.csv').rows).toEqual([['1', '2']]);
  });

  test('keeps empty cells, skips blank lines, ignores a byte-order mark and trims header names', () => {
    const t = parseCsv('\uFEFF id , value\n1,\n\n  \n2,""\n', 'b.csv');
    expect(t.columns).toEqual(['id', 'value']);
    expect(t.rows).toEqual([
      ['1', ''],
      ['2', ''],
    ]);
    expect(t.lineOf(1)).toBe(5);
  });

  test('a header-only file is a table without rows', () => {
    const t = parseCsv('a,b,label\n', 'h.csv');
    expect(t.columns).toEqual(['a', 'b', 'label']);
    expect(t.rows).toEqual([]);
  });

  test('a ragged row is an error naming the line and the expected columns', () => {
    const err = dataErrorOf(() => parseCsv('a,b,c\n1,2,3\n4,5\n', 'r.csv'));
    expect(err.line).toBe(3);
    expect(err.source).toBe('r.csv');
    expect(err.message).toMatch(/^r\.csv line 3: 2 values but the header has 3 columns \(a, b, c\)/);
    expect(err.message).toMatch(/double quotes/);
  });

  test('an unclosed quote names the line where it opens', () => {
    const err = dataErrorOf(() => parseCsv('a,b\n1,2\n3,"open\n4,5\n', 'u.csv'));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/never closed/);
  });

  test('text after a closing quote is an error', () => {
    expect(dataErrorOf(() => parseCsv('a\n"x"y\n', 't.csv')).message).toMatch(
      /t\.csv line 2: unexpected text after a closing quote/,
    );
  });

  test('empty text, unnamed and duplicate header columns are errors', () => {
    expect(dataErrorOf(() => parseCsv('', 'e.csv')).message).toMatch(
      /^e\.csv: the file is empty; it needs a header row/,
    );
    expect(dataErrorOf(() => parseCsv('a,,c\n', 'n.csv')).message).toMatch(/header column 2 has no name/);
    expect(dataErrorOf(() => parseCsv('a,b,a\n', 'd.csv')).message).toMatch(/names column "a" twice/);
  });
});

describe('toCsv', () => {
  test('round-trips through parseCsv, quoting only where needed', () => {
    const t = parseCsv('a,b\n"x, y","q""q"\nplain,"two\nlines"\n', 'in.csv');
    const text = toCsv(t);
    expect(text).toBe('a,b\n"x, y","q""q"\nplain,"two\nlines"\n');
    expect(parseCsv(text, 'out.csv').rows).toEqual(t.rows);
  });

  test('keeps empty single-column rows', () => {
    const t = parseCsv('only\n1\n""\n3\n', 's.csv');
    expect(t.rows).toEqual([['1'], [''], ['3']]);
    expect(parseCsv(toCsv(t), 's.csv').rows).toEqual(t.rows);
    const spaces = { ...t, rows: [['1'], ['  '], ['3']] };
    expect(parseCsv(toCsv(spaces), 's.csv').rows).toEqual(spaces.rows);
  });
});

describe('selectRows', () => {
  test('keeps the original line numbers', () => {
    const t = parseCsv('a\n1\n2\n3\n4\n', 'l.csv');
    const s = selectRows(t, [3, 1]);
    expect(s.rows).toEqual([['4'], ['2']]);
    expect([s.lineOf(0), s.lineOf(1)]).toEqual([5, 3]);
    expect(() => selectRows(t, [4])).toThrow(RangeError);
  });
});

describe('readCsvFile', () => {
  const { dir, cleanup } = tempDir('tessera-data-csv-');
  afterAll(cleanup);

  test('reads a file and names it in errors', () => {
    const path = join(dir, 'customers.csv');
    writeFileSync(path, 'id,label\n1,yes\n');
    const t = readCsvFile(path);
    expect(t.source).toBe(path);
    expect(t.rows).toEqual([['1', 'yes']]);
  });

  test('a missing file is a DataError naming the path', () => {
    const path = join(dir, 'nope.csv');
    const err = dataErrorOf(() => readCsvFile(path));
    expect(err.source).toBe(path);
    expect(err.message).toBe(
      `${path}: file not found; check the path (relative paths start from the current directory)`,
    );
  });

  test('an empty file is a DataError naming the path', () => {
    const path = join(dir, 'empty.csv');
    writeFileSync(path, '');
    expect(dataErrorOf(() => readCsvFile(path)).message).toMatch(
      new RegExp(`^${path.replace(/[.\\/]/g, '\\$&')}: the file is empty`),
    );
  });

  test('a directory is a DataError', () => {
    expect(dataErrorOf(() => readCsvFile(dir)).message).toMatch(/is a directory/);
  });
});
