/** Row indices as a Uint32Array sorted ascending. */
export function sortedIndices(rows: Iterable<number>): Uint32Array {
  return Uint32Array.from(rows).sort();
}

/** The given rows grouped by label value, groups in ascending label order, rows in their given order. */
export function indicesByLabel(rows: ArrayLike<number>, labels: Float64Array): Uint32Array[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!; // i < rows.length
    const label = labels[row];
    if (label === undefined) throw new RangeError(`row ${row} has no label: there are ${labels.length} labels`);
    let group = groups.get(label);
    if (!group) groups.set(label, (group = []));
    group.push(row);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((label) => Uint32Array.from(groups.get(label) ?? []));
}
