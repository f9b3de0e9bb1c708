/**
 * The saved models of a vertical run, one per party, as plain JSON-serialisable objects, and their validating
 * parsers. The guest's model holds its own weights and bias (logistic) or the trees with leaf weights, its own
 * splits by feature name and threshold and each host split only as (host, opaque id); a host's model holds its own
 * weights (logistic) or, per split id, its feature name and threshold. Thresholds and weights apply to standardised
 * values (each party's own standardisation, kept in its model).
 */
import type { BoostSplit, GuestBoostModel } from '../boost/guest.js';
import type { HostBoostModel, HostSplit } from '../boost/host.js';
import type { Tree } from '../boost/tree.js';
import type { ColumnStandardisation } from './standardise.js';

export const GUEST_MODEL_FORMAT = 'tessera-vertical-guest-v1';
export const HOST_MODEL_FORMAT = 'tessera-vertical-host-v1';

interface ModelCommon {
  /** The party's own feature names, in the order of its weights and standardisation. */
  readonly featureNames: readonly string[];
  readonly standardisation: ColumnStandardisation;
}

export interface GuestLogisticModel extends ModelCommon {
  readonly format: typeof GUEST_MODEL_FORMAT;
  readonly kind: 'vertical-logistic';
  readonly weights: readonly number[];
  readonly bias: number;
}

/** A split in the guest's saved trees: its own by feature name and threshold (x <= threshold goes left). */
export type GuestTreeSplit =
  | { readonly party: 'guest'; readonly feature: string; readonly threshold: number }
  | { readonly party: 'host'; readonly host: number; readonly split: string };

export interface GuestSecureBoostModel extends ModelCommon {
  readonly format: typeof GUEST_MODEL_FORMAT;
  readonly kind: 'secureboost';
  /** The starting margin (log-odds). */
  readonly base: number;
  readonly trees: readonly Tree<GuestTreeSplit>[];
}

export type GuestVerticalModel = GuestLogisticModel | GuestSecureBoostModel;

export interface HostLogisticModel extends ModelCommon {
  readonly format: typeof HOST_MODEL_FORMAT;
  readonly kind: 'vertical-logistic';
  readonly weights: readonly number[];
}

export interface HostSecureBoostModel extends ModelCommon {
  readonly format: typeof HOST_MODEL_FORMAT;
  readonly kind: 'secureboost';
  /** Per opaque split id: the host's feature and threshold (x <= threshold goes left). */
  readonly splits: Readonly<Record<string, { readonly feature: string; readonly threshold: number }>>;
}

export type HostVerticalModel = HostLogisticModel | HostSecureBoostModel;

/** The guest's trees in the saved form (feature names instead of column indices). */
export function guestBoostToSaved(model: GuestBoostModel, featureNames: readonly string[]): Tree<GuestTreeSplit>[] {
  const convert = (t: Tree<BoostSplit>): Tree<GuestTreeSplit> => {
    if ('leaf' in t) return { leaf: t.leaf };
    const s = t.split;
    const split: GuestTreeSplit =
      s.party === 'guest'
        ? { party: 'guest', feature: featureNames[s.feature]!, threshold: s.value }
        : { party: 'host', host: s.host, split: s.split };
    return { split, left: convert(t.left), right: convert(t.right) };
  };
  return model.trees.map(convert);
}

/** The saved guest trees as the SecureBoost scorer takes them (feature indices into `featureNames`). */
export function guestBoostFromSaved(model: GuestSecureBoostModel): GuestBoostModel {
  const index = new Map(model.featureNames.map((name, j) => [name, j]));
  const convert = (t: Tree<GuestTreeSplit>): Tree<BoostSplit> => {
    if ('leaf' in t) return { leaf: t.leaf };
    const s = t.split;
    const split: BoostSplit =
      s.party === 'guest'
        ? { party: 'guest', feature: index.get(s.feature)!, value: s.threshold }
        : { party: 'host', host: s.host, split: s.split };
    return { split, left: convert(t.left), right: convert(t.right) };
  };
  return { base: model.base, trees: model.trees.map(convert) };
}

/** The host's splits in the saved form. */
export function hostSplitsToSaved(
  model: HostBoostModel,
  featureNames: readonly string[],
): Record<string, { feature: string; threshold: number }> {
  const out: Record<string, { feature: string; threshold: number }> = {};
  for (const [id, s] of model.splits) out[id] = { feature: featureNames[s.feature]!, threshold: s.value };
  return out;
}

/** The saved host splits as SecureBoostHostScorer takes them. */
export function hostSplitsFromSaved(model: HostSecureBoostModel): HostBoostModel {
  const index = new Map(model.featureNames.map((name, j) => [name, j]));
  const splits = new Map<string, HostSplit>();
  for (const [id, s] of Object.entries(model.splits))
    splits.set(id, { feature: index.get(s.feature)!, value: s.threshold });
  return { splits };
}

/** Checks a saved guest model (an object or its JSON text), naming the first bad field. */
export function parseGuestModel(json: unknown): GuestVerticalModel {
  const m = record(typeof json === 'string' ? JSON.parse(json) : json, 'model');
  expect(m.format === GUEST_MODEL_FORMAT, 'model.format', `must be "${GUEST_MODEL_FORMAT}"`);
  const names = featureNames(m.featureNames);
  standardisation(m.standardisation, names.length);
  if (m.kind === 'vertical-logistic') {
    numbers(m.weights, 'model.weights', names.length);
    finite(m.bias, 'model.bias');
    return m as unknown as GuestLogisticModel;
  }
  expect(m.kind === 'secureboost', 'model.kind', 'must be "vertical-logistic" or "secureboost"');
  finite(m.base, 'model.base');
  expect(Array.isArray(m.trees), 'model.trees', 'must be an array');
  const known = new Set(names);
  for (const [i, t] of (m.trees as unknown[]).entries())
    tree(t, `model.trees[${i}]`, (s, path) => guestSplit(s, path, known));
  return m as unknown as GuestSecureBoostModel;
}

/** Checks a saved host model (an object or its JSON text), naming the first bad field. */
export function parseHostModel(json: unknown): HostVerticalModel {
  const m = record(typeof json === 'string' ? JSON.parse(json) : json, 'model');
  expect(m.format === HOST_MODEL_FORMAT, 'model.format', `must be "${HOST_MODEL_FORMAT}"`);
  const names = featureNames(m.featureNames);
  standardisation(m.standardisation, names.length);
  if (m.kind === 'vertical-logistic') {
    numbers(m.weights, 'model.weights', names.length);
    return m as unknown as HostLogisticModel;
  }
  expect(m.kind === 'secureboost', 'model.kind', 'must be "vertical-logistic" or "secureboost"');
  const splits = record(m.splits, 'model.splits');
  const known = new Set(names);
  for (const [id, s] of Object.entries(splits)) {
    const split = record(s, `model.splits.${id}`);
    expect(known.has(split.feature as string), `model.splits.${id}.feature`, 'must be one of model.featureNames');
    finite(split.threshold, `model.splits.${id}.threshold`);
  }
  return m as unknown as HostSecureBoostModel;
}

function expect(ok: boolean, path: string, what: string): asserts ok {
  if (!ok) throw new Error(`bad vertical model: ${path} ${what}`);
}

function record(v: unknown, path: string): Record<string, unknown> {
  expect(typeof v === 'object' && v !== null && !Array.isArray(v), path, 'must be an object');
  return v as Record<string, unknown>;
}

function finite(v: unknown, path: string): void {
  expect(typeof v === 'number' && Number.isFinite(v), path, 'must be a finite number');
}

function numbers(v: unknown, path: string, length: number): void {
  expect(Array.isArray(v), path, 'must be an array of numbers');
  expect(v.length === length, path, `must have ${length} entries (one per feature), not ${v.length}`);
  for (const [i, x] of v.entries()) finite(x, `${path}[${i}]`);
}

function featureNames(v: unknown): string[] {
  expect(Array.isArray(v) && v.length > 0, 'model.featureNames', 'must be a non-empty array');
  for (const [i, x] of v.entries())
    expect(typeof x === 'string' && x !== '', `model.featureNames[${i}]`, 'must be a name');
  expect(new Set(v).size === v.length, 'model.featureNames', 'must not repeat a name');
  return v as string[];
}

function standardisation(v: unknown, length: number): void {
  const s = record(v, 'model.standardisation');
  numbers(s.mean, 'model.standardisation.mean', length);
  numbers(s.sd, 'model.standardisation.sd', length);
  for (const [i, x] of (s.sd as number[]).entries())
    expect(x > 0, `model.standardisation.sd[${i}]`, 'must be positive');
}

function tree(v: unknown, path: string, split: (s: unknown, path: string) => void): void {
  const t = record(v, path);
  if ('leaf' in t) {
    finite(t.leaf, `${path}.leaf`);
    return;
  }
  split(t.split, `${path}.split`);
  tree(t.left, `${path}.left`, split);
  tree(t.right, `${path}.right`, split);
}

function guestSplit(v: unknown, path: string, known: ReadonlySet<string>): void {
  const s = record(v, path);
  if (s.party === 'guest') {
    expect(known.has(s.feature as string), `${path}.feature`, 'must be one of model.featureNames');
    finite(s.threshold, `${path}.threshold`);
    return;
  }
  expect(s.party === 'host', `${path}.party`, 'must be "guest" or "host"');
  expect(Number.isInteger(s.host) && (s.host as number) >= 0, `${path}.host`, 'must be a host index');
  expect(typeof s.split === 'string' && s.split !== '', `${path}.split`, 'must be a split id');
}
