import { closeSync, openSync, readSync } from 'node:fs';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The file line (1-based, every line break counted) on which CSV line `csvLine` starts, where `csvLine` counts only
 * the line breaks outside quoted values, as DuckDB's CSV errors do ("CSV Error on Line: N"). A quoted value holding
 * line breaks makes the two differ; the JavaScript path, and the user's editor, count every line. The file is read
 * in 1 MiB pieces up to that line, so memory is bounded whatever its size; this runs only when reporting an error.
 * Returns `csvLine` itself when the file cannot be read or is shorter.
 */
export function csvFileLine(path: string, csvLine: number): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return csvLine;
  }
  try {
    return scan(fd, csvLine);
  } catch {
    return csvLine;
  } finally {
    closeSync(fd);
  }
}

function scan(fd: number, csvLine: number): number {
  const buf = Buffer.alloc(1 << 20);
  let records = 1; // the CSV line being read
  let lines = 1; // the file line being read
  let quoted = false;
  let fieldStart = true;
  let pendingQuote = false; // a quote inside a quoted value, which either closes it or starts a doubled ""
  let afterCr = false;
  let position = 0;
  for (;;) {
    if (records >= csvLine) return lines;
    const n = readSync(fd, buf, 0, buf.length, position);
    if (n === 0) return csvLine;
    position += n;
    for (let i = 0; i < n; i++) {
      const b = buf[i]!;
      if (afterCr) {
        afterCr = false;
        if (b === LF) continue; // the LF of a CRLF: the break was counted at the CR
      }
      if (pendingQuote) {
        pendingQuote = false;
        if (b === QUOTE) continue; // "" inside a quoted value
        quoted = false; // the quote closed the value; this byte is read outside it
      }
      if (quoted) {
        if (b === QUOTE) pendingQuote = true;
        else if (b === LF || b === CR) {
          lines++;
          afterCr = b === CR;
        }
        continue;
      }
      if (b === QUOTE && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (b === LF || b === CR) {
        lines++;
        records++;
        afterCr = b === CR;
        fieldStart = true;
        if (records >= csvLine) return lines;
      } else {
        fieldStart = b === COMMA;
      }
    }
  }
}
