// The party layer's SecureBoost over a linkedPair: the same trees and AUC as the plaintext GBDT on the same rows,
// above guest-only, what each side receives, and joint scoring of new customers with the saved models.
import { randomBytes } from 'node:crypto';
import { auc, sigmoid } from '@tessera/ml';
import {
  type FeatureSplit,
  type GuestSecureBoostModel,
  type GuestTreeSplit,
  type HostSecureBoostModel,
  linkedPair,
  parseGuestModel,
  parseHostModel,
  predictGbdt,
  scoreVerticalGuest,
  serveVerticalHostScoring,
  type Tree,
  trainGbdt,
  type VerticalGuestResult,
  type VerticalHostResult,
} from '@tessera/vertical';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameTree } from './boost-fixture.js';
import { leaves, type PairRun, partyTables, rowsOf, runPair, standardised, value, within } from './party-fixture.js';

// Three trees of depth 3 over 16 bins keep this file well under a minute on two busy cores.
const MODEL = {
  kind: 'secureboost',
  trees: 3,
  depth: 3,
  learningRate: 0.3,
  bins: 16,
  minChildWeight: 1,
  lambda: 1,
} as const;
const { kind: _, ...CONFIG } = MODEL;
const tables = partyTables();

/** A saved guest tree with host splits resolved through the host's saved model, in the joined feature order. */
function resolve(t: Tree<GuestTreeSplit>, g: GuestSecureBoostModel, h: HostSecureBoostModel): Tree<FeatureSplit> {
  if ('leaf' in t) return t;
  const s = t.split;
  const split: FeatureSplit =
    s.party === 'guest'
      ? { feature: g.featureNames.indexOf(s.feature), value: s.threshold }
      : {
          feature: g.featureNames.length + h.featureNames.indexOf(h.splits[s.split]!.feature),
          value: h.splits[s.split]!.threshold,
        };
  return { split, left: resolve(t.left, g, h), right: resolve(t.right, g, h) };
}

describe('SecureBoost between two parties over a link', () => {
  let run: PairRun;
  let guest: VerticalGuestResult;
  let host: VerticalHostResult;
  let g: GuestSecureBoostModel;
  let h: HostSecureBoostModel;

  beforeAll(async () => {
    run = await runPair(tables, MODEL);
    guest = value(run.guest);
    host = value(run.host);
    g = guest.model as GuestSecureBoostModel;
    h = host.model as HostSecureBoostModel;
  }, 120_000);

  it('grows the plaintext GBDT trees on the same joined rows, scores alike, and beats guest-only', () => {
    const { train, test } = guest.rows;
    const y = (rows: Uint32Array) => Float64Array.from(rows, (r) => tables.labels[r]!);
    const guestCols = (rows: Uint32Array) => standardised(tables.guest, g.standardisation, rows);
    const hostCols = (rows: Uint32Array) => standardised(tables.host, h.standardisation, rows);
    const reference = trainGbdt([...guestCols(train), ...hostCols(host.rows.train)], y(train), CONFIG);
    expect(g.base).toBe(reference.base);
    expect(g.trees).toHaveLength(MODEL.trees);
    g.trees.forEach((t, i) => expectSameTree(resolve(t, g, h), reference.trees[i]!));
    const plain = auc(y(test), predictGbdt(reference, [...guestCols(test), ...hostCols(host.rows.test)]));
    const guestOnly = auc(y(test), predictGbdt(trainGbdt(guestCols(train), y(train), CONFIG), guestCols(test)));
    console.log(
      `party SecureBoost AUC ${guest.metrics.auc.toFixed(4)} (accuracy ${guest.metrics.accuracy.toFixed(3)}), ` +
        `plaintext GBDT ${plain.toFixed(4)}, guest-only ${guestOnly.toFixed(4)}; seconds ` +
        `${JSON.stringify(guest.seconds)}, host ${JSON.stringify(host.seconds)}`,
    );
    expect(Math.abs(guest.metrics.auc - plain)).toBeLessThanOrEqual(0.01);
    expect(guest.metrics.auc).toBeGreaterThan(guestOnly);
    expect(g.trees.some((t) => JSON.stringify(t).includes('"party":"host"'))).toBe(true);
  });

  it('saves JSON models that parse back and name the bad field', () => {
    expect(parseGuestModel(JSON.stringify(g))).toEqual(g);
    expect(parseHostModel(JSON.stringify(h))).toEqual(h);
    expect(Object.keys(h.splits).length).toBeGreaterThan(0);
    const [id] = Object.keys(h.splits);
    expect(() => parseHostModel({ ...h, splits: { ...h.splits, [id!]: { feature: 'nope', threshold: 1 } } })).toThrow(
      `model.splits.${id}.feature`,
    );
    expect(() => parseGuestModel({ ...g, trees: [{ split: { party: 'guest', feature: 'x', threshold: 0 } }] })).toThrow(
      'model.trees[0].split.feature',
    );
  });

  it('the host receives only ciphertexts, keys, PSI points, row sets and integers', () => {
    expect(new Set(run.toHost.map((m) => m.kind))).toEqual(
      new Set([
        'psi-align/blinded',
        'psi-align/reblinded',
        'psi-align/confirmation',
        'boost-setup',
        'encrypted-gradients',
        'histogram-request',
        'split-request',
        'score-query',
        'vertical/finished',
      ]),
    );
    for (const m of run.toHost)
      for (const [path, v] of leaves(m)) {
        if (v instanceof Uint8Array) continue;
        if (v instanceof Uint32Array) {
          expect(
            v.every((r, i) => i === 0 || r > v[i - 1]!),
            path,
          ).toBe(true); // row sets, strictly increasing: not fixed-point gradients
          continue;
        }
        expect(ArrayBuffer.isView(v), path).toBe(false);
        if (typeof v === 'number') expect(Number.isInteger(v), path).toBe(true);
        else expect(typeof v, path).toBe('string');
      }
  });

  it('the guest receives no host feature value or threshold, and its model holds none', () => {
    const hostValues = new Set<number>();
    for (const c of tables.host.columns) for (const v of c) hostValues.add(v);
    for (const rows of [host.rows.train, host.rows.test])
      for (const c of standardised(tables.host, h.standardisation, rows)) for (const v of c) hostValues.add(v);
    const thresholds = Object.values(h.splits).map((s) => s.threshold);
    for (const t of thresholds) hostValues.add(t);
    expect(new Set(run.toGuest.map((m) => m.kind))).toEqual(
      new Set([
        'psi-align/blinded',
        'psi-align/reblinded',
        'psi-align/confirmation',
        'host-hello',
        'encrypted-histogram',
        'split-answer',
        'score-answer',
      ]),
    );
    for (const m of run.toGuest)
      for (const [path, v] of leaves(m)) {
        if (v instanceof Uint8Array || v instanceof Uint32Array) continue; // ciphertexts, PSI points, row sets
        expect(ArrayBuffer.isView(v), path).toBe(false);
        if (typeof v === 'number' && hostValues.has(v))
          expect(['host', 'node', 'tree', 'features', 'count', 'size', 'version'], path).toContain(
            path.split('.').pop(),
          );
      }
    const text = JSON.stringify(g);
    for (const t of thresholds) expect(text).not.toContain(String(t));
  });

  it('scores new customers jointly as the two saved models score the joined rows', async () => {
    const ids = tables.guest.ids.filter((_, i) => i % 4 === 1);
    const guestTable = rowsOf(tables.guest, ids);
    const link = linkedPair();
    const common = { salt: randomBytes(32), session: 'score-boost' };
    const [scored] = await within(
      Promise.all([
        scoreVerticalGuest({
          ...common,
          link: link.guest,
          table: guestTable,
          model: parseGuestModel(JSON.stringify(g)),
        }),
        serveVerticalHostScoring({
          ...common,
          link: link.host,
          table: tables.host,
          model: parseHostModel(JSON.stringify(h)),
        }),
      ]),
      30_000,
      'joint scoring',
    );
    const hostAt = new Map(tables.host.ids.map((id, i) => [id, i]));
    const expectedIds = ids.filter((id) => hostAt.has(id));
    expect(scored.ids).toEqual(expectedIds);
    const gCols = standardised(
      guestTable,
      g.standardisation,
      expectedIds.map((id) => ids.indexOf(id)),
    );
    const hCols = standardised(
      tables.host,
      h.standardisation,
      expectedIds.map((id) => hostAt.get(id)!),
    );
    const reference = { base: g.base, trees: g.trees.map((t) => resolve(t, g, h)) };
    const margins = predictGbdt(reference, [...gCols, ...hCols]);
    expectedIds.forEach((_, i) => expect(scored.scores[i]).toBeCloseTo(sigmoid(margins[i]!), 12));
  });
});
