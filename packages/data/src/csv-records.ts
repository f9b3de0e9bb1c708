import { DataError } from './data-error.js';

/** One CSV record: its cells and the file line it starts on (1-based). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

const QUOTE = '"';

function isRecordEnd(ch: string | undefined): boolean {
  return ch === '\n' || ch === '\r';
}

/**
 * Splits RFC 4180 text into records: quoted values may hold commas, line breaks and doubled quotes;
 * records end in LF, CRLF or CR. Blank (or all-space) lines are skipped. A leading byte-order mark is ignored.
 */
export function readCsvRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let sawQuotedCell = false;
    for (;;) {
      let cell: string;
      if (text[i] === QUOTE) {
        sawQuotedCell = true;
        const quoteLine = line;
        cell = '';
        i++;
        for (;;) {
          if (i >= n) {
            throw new DataError(
              { source, line: quoteLine },
              'a quoted value starts here but is never closed; add the closing double quote (")',
            );
          }
          const ch = text[i];
          if (ch === QUOTE) {
            if (text[i + 1] === QUOTE) {
              cell += QUOTE;
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          cell += ch;
          i++;
        }
        if (i < n && text[i] !== ',' && !isRecordEnd(text[i])) {
          throw new DataError(
            { source, line },
            `unexpected text after a closing quote (near ${JSON.stringify(text.slice(i, i + 10))}); ` +
              'inside a quoted value write a double quote as ""',
          );
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && !isRecordEnd(text[i])) i++;
        cell = text.slice(start, i);
      }
      cells.push(cell);
      if (i >= n) break;
      if (text[i] === ',') {
        i++;
        continue;
      }
      i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      break;
    }
    const blankLine = cells.length === 1 && cells[0]?.trim() === '' && !sawQuotedCell;
    if (!blankLine) records.push({ cells, line: startLine });
  }
  return records;
}
