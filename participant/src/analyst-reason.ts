// What of a refusal's reason may cross to the analyst: the problem, never the owner's file paths or column lists.
import { redactedUrl } from '@tessera/engine';
import type { DatasetSource } from './config.js';

/** "; the columns are: a, b, c. Check the spelling or choose one of these" and "its columns are: ...". */
const COLUMN_LIST =
  /[;,]?\s*(?:its|the) columns are: .*?(?:\.\s*Check the spelling or choose one of these|(?=\.\s|$))/gs;
/**
 * A cell's quoted value where a data error names it after its location: `column "age": "4x" is not a number`, or a
 * label's "is not one of the job's classes".
 */
const CELL_VALUE = /(column "[^"]*": )"(?:[^"\\]|\\.)*"(?= is not )/g;
/** An absolute POSIX or Windows path of two or more parts. */
const ABSOLUTE_PATH = /(?:[A-Za-z]:\\|\/)(?:[^\s/\\:"'()]+[/\\])+[^\s/\\:"'()]*/g;

/**
 * The reason to send to the coordinator (and so to the analyst) for a refusal whose full text stays in the node's
 * log and audit log: each configured data set's file is named by its data set name, any other absolute path is
 * hidden, and column lists (which name columns outside the agreed schema) are dropped.
 */
export function analystReason(full: string, datasets: Readonly<Record<string, DatasetSource>>): string {
  // A cell's value is the merchant's data: "\"7\" is not one of the job's classes" names the problem, not the value
  // (a spec could otherwise list a column's values one refusal at a time).
  let text = full.replace(COLUMN_LIST, '').replace(CELL_VALUE, '$1the value');
  const files = Object.entries(datasets)
    .flatMap(([name, src]) => [
      ...sourceTexts(src).map((text) => [text, `data set "${name}"`] as const),
      ...(src.columnsFrom ? [[src.columnsFrom, `the column policy of data set "${name}"`] as const] : []),
    ])
    .sort((a, b) => b[0].length - a[0].length);
  for (const [path, name] of files) if (path) text = text.split(path).join(name);
  return text.replace(ABSOLUTE_PATH, '(a local file)');
}

/** How messages name a data set's source: its path, or its url and its url with the password hidden. */
function sourceTexts(src: DatasetSource): string[] {
  return src.type === 'postgres' ? [src.url, redactedUrl(src.url)] : [src.path];
}
