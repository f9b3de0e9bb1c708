import { DataError } from './data-error.js';
import { readCsvRecords } from './csv-records.js';
import { lineLookup, type RawTable } from './raw-table.js';

/** Parses CSV text with a header row (RFC 4180). `source` names the text in error messages, e.g. the file name. */
export function parseCsv(text: string, source: string): RawTable {
  const [header, ...body] = readCsvRecords(text, source);
  if (header === undefined) {
    throw new DataError(
      { source },
      'the file is empty; it needs a header row naming the columns, then one row per record',
    );
  }
  const columns = header.cells.map((name) => name.trim());
  checkColumnNames(columns, source, header.line);

  for (const record of body) {
    if (record.cells.length !== columns.length) {
      throw new DataError(
        { source, line: record.line },
        `${record.cells.length} value${record.cells.length === 1 ? '' : 's'} but the header ` +
          `has ${columns.length} columns (${columns.join(', ')}); ` +
          'check for a missing or extra comma, and put values that contain commas in double quotes',
      );
    }
  }
  return {
    source,
    columns,
    rows: body.map((r) => r.cells),
    lineOf: lineLookup(body.map((r) => r.line)),
  };
}

function checkColumnNames(columns: string[], source: string, line: number): void {
  const seen = new Set<string>();
  columns.forEach((name, i) => {
    if (name === '') {
      throw new DataError({ source, line }, `header column ${i + 1} has no name; give every column a name`);
    }
    if (seen.has(name)) {
      throw new DataError({ source, line }, `the header names column "${name}" twice; rename or remove one of them`);
    }
    seen.add(name);
  });
}

/**
 * Writes a table as CSV (LF line ends, trailing newline), quoting only where needed (including a blank
 * single-cell row, which would otherwise read back as a skipped blank line); `parseCsv` reads it back.
 */
export function toCsv(t: RawTable): string {
  const lines = [t.columns, ...t.rows].map((cells) => {
    const [first] = cells;
    return cells.length === 1 && first?.trim() === '' ? quoted(first) : cells.map(csvField).join(',');
  });
  return `${lines.join('\n')}\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? quoted(value) : value;
}

function quoted(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
