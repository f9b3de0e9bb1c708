/**
 * A plain text table; strings are printed as given, numbers with `digits[column]` decimals (integers as they are);
 * numeric columns are right-aligned.
 */
export function benchTable(header: string[], rows: (string | number)[][], digits: Record<number, number> = {}): string {
  const show = (c: string | number, i: number) =>
    typeof c === 'string'
      ? c
      : !Number.isFinite(c)
        ? 'n/a'
        : Number.isInteger(c) && digits[i] === undefined
          ? String(c)
          : c.toFixed(digits[i] ?? 3);
  const cells = [header, ...rows.map((r) => r.map(show))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^-?\d[\d.]*$/.test(String(r[i]))),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        // A cell past the header's columns has no width: it goes unpadded.
        const width = widths[i] ?? 0;
        return numeric[i] ? c.padStart(width) : c.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
