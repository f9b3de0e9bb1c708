// Breast cancer split by columns and rows for the party-layer tests: the guest holds features 0..9 and the label,
// the host features 10..29; 80% of the customers are at both, the rest at one side only; each side's rows are in
// its own shuffled order, with ids `cust-<n>`. Also helpers to run both sides over a linkedPair with a timeout.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@tessera/ml';
import {
  linkedPair,
  runVerticalGuest,
  runVerticalHost,
  type PartyTable,
  type VerticalGuestResult,
  type VerticalHostResult,
  type VerticalMessage,
  type VerticalModelConfig,
  type VerticalRunCommon,
} from '@tessera/vertical';

const CSV = fileURLToPath(new URL('../../../examples/data/breast_cancer.csv', import.meta.url));

export interface PartyTables {
  readonly guest: PartyTable;
  readonly labels: Float64Array;
  readonly host: PartyTable;
}

function readRows(): { header: string[]; rows: number[][]; label: number } {
  const lines = readFileSync(CSV, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.trim());
  return { header, rows: lines.slice(1).map((l) => l.split(',').map(Number)), label: header.indexOf('benign') };
}

/** `overlap` of the rows at both sides (default 80%), the others split between guest-only and host-only. */
export function partyTables(seed = 'party', overlap = 0.8): PartyTables {
  const { header, rows, label } = readRows();
  const order = Uint32Array.from({ length: rows.length }, (_, i) => i);
  const rng = seededRandom(seed);
  rng.shuffle(order);
  const shared = Math.round(overlap * rows.length);
  const onlyGuest = Math.floor((rows.length - shared) / 2);
  const guestRows = Uint32Array.from([...order.subarray(0, shared + onlyGuest)]);
  const hostRows = Uint32Array.from([...order.subarray(0, shared), ...order.subarray(shared + onlyGuest)]);
  rng.shuffle(guestRows);
  rng.shuffle(hostRows);
  const table = (at: Uint32Array, from: number, to: number): PartyTable => ({
    ids: Array.from(at, (r) => `cust-${r}`),
    featureNames: header.slice(from, to),
    columns: Array.from({ length: to - from }, (_, j) => Float64Array.from(at, (r) => rows[r]![from + j]!)),
  });
  return {
    guest: table(guestRows, 0, 10),
    labels: Float64Array.from(guestRows, (r) => rows[r]![label]!),
    host: table(hostRows, 10, 30),
  };
}

/** The rows of `table` for ids `ids` (which must all be in it), as a table. */
export function rowsOf(table: PartyTable, ids: readonly string[]): PartyTable {
  const at = new Map(table.ids.map((id, i) => [id, i]));
  const rows = ids.map((id) => at.get(id)!);
  return {
    ids: [...ids],
    featureNames: table.featureNames,
    columns: table.columns.map((c) => Float64Array.from(rows, (r) => c[r]!)),
  };
}

/** Rejects after `ms` so that a hung side fails the test instead of stalling it. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface PairRun {
  readonly guest: PromiseSettledResult<VerticalGuestResult>;
  readonly host: PromiseSettledResult<VerticalHostResult>;
  readonly toGuest: VerticalMessage[];
  readonly toHost: VerticalMessage[];
}

/** A fixed job salt: with it the aligned order, the split and so the whole run are reproducible. */
export const SALT = new Uint8Array(32).fill(7);

type Overrides = Partial<Omit<VerticalRunCommon, 'link' | 'table'>>;

/** Runs both sides over a linkedPair; settles both (each within `ms`) and records what each received. */
export async function runPair(
  tables: PartyTables,
  model: VerticalModelConfig,
  options: {
    guest?: Overrides;
    host?: Overrides;
    hostTable?: PartyTable;
    labels?: Float64Array;
    ms?: number;
    salt?: Uint8Array;
  } = {},
): Promise<PairRun> {
  const toGuest: VerticalMessage[] = [];
  const toHost: VerticalMessage[] = [];
  const link = linkedPair((to, m) => (to === 'guest' ? toGuest : toHost).push(m));
  const common = {
    model,
    salt: options.salt ?? SALT,
    session: 'job-party-test',
    seed: 'party-seed',
    testFraction: 0.3,
    minOverlap: 50,
  };
  const ms = options.ms ?? 60_000;
  const [guest, host] = await Promise.allSettled([
    within(
      runVerticalGuest({
        ...common,
        ...options.guest,
        link: link.guest,
        table: tables.guest,
        labels: options.labels ?? tables.labels,
      }),
      ms,
      'the guest',
    ),
    within(
      runVerticalHost({ ...common, ...options.host, link: link.host, table: options.hostTable ?? tables.host }),
      ms,
      'the host',
    ),
  ]);
  return { guest, host, toGuest, toHost };
}

/** The fulfilled value, or a failure naming the rejection. */
export function value<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw new Error(`expected success, got: ${String(r.reason)}`);
  return r.value;
}

/** The rejection message (failing if it fulfilled). */
export function reason(r: PromiseSettledResult<unknown>): string {
  if (r.status === 'fulfilled') throw new Error('expected a rejection, the run succeeded');
  return r.reason instanceof Error ? r.reason.message : String(r.reason);
}

/** Every leaf value of a message with its path (typed arrays are leaves). */
export function* leaves(value: unknown, path = 'message'): Generator<[string, unknown]> {
  if (ArrayBuffer.isView(value) || value === null || typeof value !== 'object') {
    yield [path, value];
    return;
  }
  for (const [k, v] of Object.entries(value)) yield* leaves(v, `${path}.${k}`);
}

/** Columns standardised with a saved model's mean and sd, for rows `rows` of the table. */
export function standardised(
  table: PartyTable,
  s: { mean: readonly number[]; sd: readonly number[] },
  rows: ArrayLike<number>,
): Float64Array[] {
  return table.columns.map((c, j) =>
    Float64Array.from(rows as ArrayLike<number>, (r) => (c[r]! - s.mean[j]!) / s.sd[j]!),
  );
}
