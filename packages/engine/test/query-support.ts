import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capRowsPerUser, evaluateLocally, type QueryPlan } from '@tessera/analytics';
import type { Random } from '@tessera/crypto';
import { toCsv, type RawTable } from '@tessera/data';
import type { LocalEngine } from '../src/index.js';

/** A Random whose bytes() always returns the same bytes: the JavaScript path and the engine draw the same key. */
export function fixedRandom(seed = 7): Random {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 17) & 0xff);
  return {
    float: () => 0.5,
    int: () => 0,
    gaussian: () => 0,
    bytes,
    shuffle: () => {},
  };
}

/** The JavaScript path's result: evaluateLocally on capRowsPerUser's kept rows. */
export function oracle(plan: QueryPlan, table: RawTable, rng: Random = fixedRandom()) {
  const capped = capRowsPerUser(plan, table, rng);
  return { vector: evaluateLocally(plan, capped.table), capped };
}

/** A scratch directory, removed by the returned cleanup. */
export function scratch(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-query-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `table` as CSV under `dir` and registers it as data set `name` of `engine`. */
export async function registerTable(engine: LocalEngine, dir: string, name: string, table: RawTable): Promise<string> {
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, toCsv(table));
  await engine.register(name, { type: 'csv', path });
  return path;
}

/**
 * Compares the engine's vector with the oracle's: counts and section counts exactly; a sum exactly when both are
 * whole numbers (and always with `exact`, for integer-valued data), otherwise within 1e-9 relative to the larger of
 * the sum and the slot's bound (a cancelling sum is compared at the scale of its terms). Returns a description of the
 * first difference, or undefined.
 */
export function difference(plan: QueryPlan, engine: Float64Array, js: Float64Array, exact = false): string | undefined {
  if (engine.length !== js.length) return `length ${engine.length} vs ${js.length}`;
  const width = plan.groups.slots.length;
  for (let i = 0; i < js.length; i++) {
    const a = engine[i]!;
    const b = js[i]!;
    if (a === b) continue;
    const slot = i < plan.sectionsOffset ? plan.groups.slots[i % width]! : undefined;
    const what = slot ? `slot ${slot.kind} ${slot.column ?? ''}` : 'section';
    const fail = `coordinate ${i} (${what}): engine ${a}, JavaScript ${b}`;
    if (!slot?.bounds || exact || (Number.isInteger(a) && Number.isInteger(b))) return fail;
    const bound = Math.max(Math.abs(slot.bounds[0]), Math.abs(slot.bounds[1]));
    const scale = Math.max(Math.abs(a), Math.abs(b), slot.kind === 'sq' ? bound * bound : bound);
    if (!(Math.abs(a - b) <= 1e-9 * scale)) return fail;
  }
  return undefined;
}
