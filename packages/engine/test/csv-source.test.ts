import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, readCsvFile } from '@tessera/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '@tessera/engine';

let dir: string;
let engine: LocalEngine;
let names = 0;

function file(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The engine's cells of a CSV file, batch by batch. */
async function served(path: string, batchRows = 1000): Promise<{ columns: string[]; rows: string[][] }> {
  const name = `csv${names++}`;
  const d = await engine.register(name, { type: 'csv', path });
  const rows: string[][] = [];
  for await (const b of engine.batches(name, undefined, batchRows)) rows.push(...b.rows);
  expect(rows).toHaveLength(d.rows);
  return { columns: d.columns.map((c) => c.name), rows };
}

/** The engine serves exactly what the JavaScript path reads. */
async function expectOracle(path: string): Promise<string[][]> {
  const oracle = readCsvFile(path);
  const got = await served(path);
  expect(got.columns).toEqual(oracle.columns);
  expect(got.rows).toEqual(oracle.rows);
  return got.rows;
}

async function failure(path: string): Promise<DataError> {
  const err = await (async () => {
    await served(path);
  })().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  return err as DataError;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'engine-csv-'));
  engine = await LocalEngine.open({ threads: 2 });
});

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CSV source: cells equal readCsvFile', () => {
  it('reads CRLF line ends', async () => {
    const rows = await expectOracle(file('crlf.csv', 'a,b,c\r\n1,x,2.5\r\n3,y,\r\n'));
    expect(rows).toEqual([
      ['1', 'x', '2.5'],
      ['3', 'y', ''],
    ]);
  });

  it('reads quoted fields holding commas, newlines (LF and CRLF) and doubled quotes', async () => {
    const text = 'id,text,n\n1,"a, b",2\n2,"line one\nline two",3\n3,"say ""hi""",4\n4,"crlf\r\ninside",5\n5,"",6\n';
    const rows = await expectOracle(file('quoted.csv', text));
    expect(rows[2]).toEqual(['3', 'say "hi"', '4']);
    expect(rows[3]).toEqual(['4', 'crlf\r\ninside', '5']);
  });

  it('skips a byte-order mark', async () => {
    const path = file('bom.csv', '\ufeffname,value\nA,1\nB,2\n');
    await expectOracle(path);
    expect((await served(path)).columns).toEqual(['name', 'value']);
  });

  it('serves a header-only file as 0 rows, with or without a final newline', async () => {
    for (const [name, text] of [
      ['header.csv', 'a,b,c\n'],
      ['header-bare.csv', 'a,b,c'],
    ] as const) {
      const got = await served(file(name, text));
      expect(got).toEqual({ columns: ['a', 'b', 'c'], rows: [] });
      expect(readCsvFile(join(dir, name)).rows).toEqual([]);
    }
  });

  it('keeps spaces inside cells and a last line without a newline, as the JavaScript path does', async () => {
    await expectOracle(file('spaces.csv', 'a,b\n  x , y\n1,"  2 "\n3,4'));
  });

  it('skips blank lines as the JavaScript path does, in a file of several columns or of one', async () => {
    await expectOracle(file('blank.csv', 'a,b\n1,2\n\n3,4\n\n5,6\n\n'));
    await expectOracle(file('blank-crlf.csv', 'a,b\r\n1,2\r\n\r\n3,4\r\n'));
    const one = await expectOracle(file('one.csv', 'a\n1\n\n2\n""\n3\n'));
    expect(one).toEqual([['1'], ['2'], [''], ['3']]);
  });

  it('serves a column whose name holds a double quote or spaces', async () => {
    const path = file('names.csv', '"say ""x""",plain name,b\n1,2,3\n');
    const got = await expectOracle(path);
    expect(got).toEqual([['1', '2', '3']]);
    expect((await served(path)).columns).toEqual(['say "x"', 'plain name', 'b']);
  });
});

describe('CSV source: bad input names the file and line', () => {
  it('refuses duplicate header names', async () => {
    const path = file('dup.csv', 'a,b,a\n1,2,3\n');
    const err = await failure(path);
    expect(err.message).toBe(`${path} line 1: the header names column "a" twice; rename or remove one of them`);
  });

  it('refuses a file mixing LF and CRLF line ends (DuckDB cannot read it), saying so', async () => {
    const path = file('mixed.csv', 'a,b\n1,2\r\n3,4\n');
    const err = await failure(path);
    expect(err.message).toBe(
      `${path}: the file is not CSV as expected (comma-separated, double quotes): it may mix line ends (LF and ` +
        'CRLF); save it again with one kind of line end',
    );
  });

  it('refuses a missing file', async () => {
    const path = join(dir, 'absent.csv');
    const err = await failure(path);
    expect(err.message).toBe(
      `${path}: file not found; check the path (relative paths start from the current directory)`,
    );
  });

  const LINES = 50_000;
  function big(broken: string, at: number): string {
    const lines = ['id,customer,amount,note'];
    for (let i = 1; i < LINES; i++) {
      // quoted newlines early on make file lines and records differ: the line must be the file's
      const note = i === 10 ? '"two\nlines"' : i % 3 === 0 ? '"a, b"' : 'plain';
      lines.push(i === at ? broken : `${i},c${i % 101},${(i * 13) % 997}.5,${note}`);
    }
    return `${lines.join('\n')}\n`;
  }

  it('names the line of a record with too many fields near the end of a 50,000-line file', async () => {
    const at = LINES - 7;
    const path = file('extra.csv', big('1,c1,2.5,plain,EXTRA', at));
    const oracle = (() => {
      try {
        readCsvFile(path);
      } catch (e) {
        return e as DataError;
      }
    })();
    const err = await failure(path);
    expect(oracle?.line).toBe(at + 2); // header, and the quoted newline of record 10
    expect(err.line).toBe(oracle?.line);
    expect(err.message).toBe(
      `${path} line ${at + 2}: expected 4 fields, found 5; fix this line (every line needs one field per header ` +
        'column, quotes closed)',
    );
  });

  it('names the line of a record with too few fields', async () => {
    const at = LINES - 100;
    const path = file('short.csv', big('1,c1,2.5', at));
    const err = await failure(path);
    expect(err.line).toBe(at + 2);
    expect(err.message).toMatch(new RegExp(`^${path} line ${at + 2}: expected 4 fields, found 3;`));
  });

  it('names the line where a quote is never closed', async () => {
    const at = LINES - 3;
    const path = file('unclosed.csv', big('1,c1,2.5,"never closed', at));
    const err = await failure(path);
    expect(err.line).toBe(at + 2);
    expect(err.message).toMatch(new RegExp(`^${path} line ${at + 2}: a quoted value is not closed;`));
  });
});
