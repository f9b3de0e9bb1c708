// A recommend spec's `catalogue: {file: "catalogue.csv"}`, read into `{items: [...]}` before the spec is signed.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseCsv } from '@tessera/data';
import { UsageError } from '../ui/errors.js';

export const CATALOGUE_COLUMN = 'item_id';

/**
 * The item ids of a catalogue file, in file order: one id per line (no header), or a CSV with an `item_id` column.
 * Errors name the file and the line.
 */
export function readCatalogueFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read it (${(e as Error).message})`}`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  const first = lines[0]?.trim() ?? '';
  const listed: { id: string; line: number }[] = [];
  if (first.includes(',') || first.startsWith('"')) {
    let table: ReturnType<typeof parseCsv>;
    try {
      table = parseCsv(text, path);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const column = table.columns.indexOf(CATALOGUE_COLUMN);
    if (column < 0)
      throw new UsageError(
        `${path} line 1: a CSV catalogue needs an "${CATALOGUE_COLUMN}" column; the columns are: ` +
          `${table.columns.join(', ')}. Rename the column, or list one id per line`,
      );
    table.rows.forEach((row, r) => {
      listed.push({ id: (row[column] ?? '').trim(), line: table.lineOf(r) });
    });
  } else {
    lines.forEach((raw, i) => {
      const id = raw.trim();
      if (i === 0 && id === CATALOGUE_COLUMN) return; // a one-column CSV's header
      if (id !== '') listed.push({ id, line: i + 1 });
    });
  }
  if (listed.length === 0) throw new UsageError(`${path}: the catalogue lists no item ids; give one id per line`);
  const seen = new Map<string, number>();
  for (const { id, line } of listed) {
    if (id === '') throw new UsageError(`${path} line ${line}: the item id is empty; fill it in or drop the line`);
    const before = seen.get(id);
    if (before !== undefined)
      throw new UsageError(`${path} line ${line}: item id "${id}" is listed twice (line ${before}); list each once`);
    seen.set(id, line);
  }
  return listed.map((l) => l.id);
}

/**
 * The spec with `catalogue: {file}` (relative to the spec file) replaced by `{items}`; any other spec as it is.
 * Errors name the spec file and the field.
 */
export function withCatalogueFile(spec: unknown, specFile: string): unknown {
  const catalogue = (spec as { catalogue?: unknown } | null)?.catalogue;
  if (typeof catalogue !== 'object' || catalogue === null || !('file' in catalogue)) return spec;
  const { file, ...rest } = catalogue as { file: unknown };
  if (Object.keys(rest).length > 0)
    throw new UsageError(
      `${specFile}: catalogue gives a file and ${Object.keys(rest).join(', ')}; give either {"file": "..."} or ` +
        '{"items": [...]}',
    );
  if (typeof file !== 'string' || file === '')
    throw new UsageError(`${specFile}: catalogue.file must be a file name, got ${JSON.stringify(file)}`);
  const at = isAbsolute(file) ? file : resolve(dirname(resolve(specFile)), file);
  return { ...(spec as object), catalogue: { items: readCatalogueFile(at) } };
}
