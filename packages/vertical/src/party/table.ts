/**
 * Checks a party's local table (and the guest's labels) before anything is sent, with refusals the peer may be
 * told: they name a feature or a count, never a row or a value.
 */
import { PartyRefusal, type PartyRole } from './channel.js';
import type { PartyTable } from './types.js';

export function checkTable(role: PartyRole, table: PartyTable): void {
  const n = table.ids.length;
  const bad = (what: string) => new PartyRefusal(`the ${role}'s table is not usable: ${what}`);
  if (table.featureNames.length === 0) throw bad('it has no feature column');
  if (table.columns.length !== table.featureNames.length)
    throw bad(`${table.columns.length} feature columns for ${table.featureNames.length} feature names`);
  if (new Set(table.featureNames).size !== table.featureNames.length) throw bad('a feature name repeats');
  table.columns.forEach((column, j) => {
    const name = table.featureNames[j]!;
    if (!(column instanceof Float64Array)) throw bad(`feature "${name}" is not a Float64Array`);
    if (column.length !== n) throw bad(`feature "${name}" has ${column.length} values for ${n} identifiers`);
    if (!column.every(Number.isFinite)) throw bad(`feature "${name}" has a missing or non-numeric value`);
  });
}

/** The guest's labels: one 0/1 value per identifier. */
export function checkLabels(table: PartyTable, labels: Float64Array): void {
  const n = table.ids.length;
  const bad = (what: string) => new PartyRefusal(`the guest's labels are not usable: ${what}`);
  if (!(labels instanceof Float64Array)) throw bad('they are not a Float64Array');
  if (labels.length !== n) throw bad(`${labels.length} labels for ${n} identifiers`);
  if (!labels.every((y) => y === 0 || y === 1)) throw bad('a label is not 0 or 1');
}

/** The table's columns named `names` (a saved model's features), in that order; refuses a missing one. */
export function columnsNamed(role: PartyRole, table: PartyTable, names: readonly string[]): Float64Array[] {
  const index = new Map(table.featureNames.map((name, j) => [name, j]));
  return names.map((name) => {
    const j = index.get(name);
    if (j === undefined) throw new PartyRefusal(`the ${role}'s table has no feature "${name}" that its model uses`);
    return table.columns[j]!;
  });
}
