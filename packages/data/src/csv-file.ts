import { readFileSync } from 'node:fs';
import { DataError } from './data-error.js';
import { parseCsv } from './csv.js';
import type { RawTable } from './raw-table.js';

/** Reads a UTF-8 CSV file; problems (missing, unreadable, empty, malformed) are DataErrors naming the path. */
export function readCsvFile(path: string): RawTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError({ source: path }, fileProblem(err));
  }
  return parseCsv(text, path);
}

function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'file not found; check the path (relative paths start from the current directory)';
    case 'EISDIR':
      return 'this is a directory, not a file; give the path of the CSV file inside it';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; make the file readable for this user';
    default:
      return `cannot read the file (${(err as Error).message})`;
  }
}
