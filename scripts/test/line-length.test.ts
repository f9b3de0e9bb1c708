import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Biome wraps code at 120 columns but cannot break a long string, template, regex or comment; this keeps those
// within the limit too (issue 13). Generated code is exempt: nobody reads or edits it by hand.
const MAX = 120;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const EXEMPT = /(^|\/)(node_modules|dist)\/|^proto\/src\/gen\//;

/** `file:line (length)` of every line longer than `max` characters (code points, as an editor counts them). */
function longLines(files: Record<string, string>, max = MAX): string[] {
  return Object.entries(files).flatMap(([file, text]) =>
    text.split('\n').flatMap((line, i) => {
      const length = [...line.replace(/\r$/, '')].length;
      return length > max ? [`${file}:${i + 1} (${length})`] : [];
    }),
  );
}

/** The TypeScript, ES module and protobuf files git tracks, as they are in the working tree. */
function trackedSources(): Record<string, string> {
  const listed = execFileSync('git', ['ls-files', '-z', '--', '*.ts', '*.mjs', '*.proto'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const files = listed.split('\0').filter((f) => f && !EXEMPT.test(f) && existsSync(join(ROOT, f)));
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
}

describe('no line over 120 characters', () => {
  it('in any tracked .ts, .mjs or .proto file (generated code aside)', () => {
    const files = trackedSources();
    expect(Object.keys(files).length).toBeGreaterThan(500);
    expect(longLines(files)).toEqual([]);
  });

  it('names the file and line of a long one, counting characters rather than bytes', () => {
    const files = { 'a.ts': `const ok = 1;\n// ${'é'.repeat(117)}\r\n// ${'x'.repeat(118)}\n` };
    expect(longLines(files)).toEqual(['a.ts:3 (121)']);
  });
});
