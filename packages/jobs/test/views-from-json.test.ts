import { describe, expect, it } from 'vitest';
import { payoutsViewFromJson, privacyViewFromJson, type PayoutsView, type PrivacyView } from '../src/index.js';

const payouts: PayoutsView = {
  status: 'paid',
  method: 'shapley',
  metric: 'auc',
  pool: 1000,
  currency: 'EUR',
  entries: [{ participant: 'p1', value: 0.2, share: 0.5, amount: 500, seq: 3 }],
  ledgerHead: 'ab',
  coordinatorPublicKey: 'cd',
};

const privacy: PrivacyView = {
  mode: 'distributed',
  unit: 'record',
  epsilon: 1,
  delta: 1e-6,
  noiseMultiplier: 1.2,
  spentEpsilon: 0.4,
  sampling: 'all',
  accountantSampleRate: 1,
  survivorFloor: 'default',
  validationSplit: 'none',
  protectsAgainst: 'the analyst',
};

describe('views read from the wire', () => {
  it('round-trip what the coordinator writes', () => {
    expect(payoutsViewFromJson(JSON.stringify(payouts))).toEqual(payouts);
    expect(privacyViewFromJson(JSON.stringify(privacy))).toEqual(privacy);
  });

  it('name the field that is malformed instead of passing a mistyped object on', () => {
    expect(() => payoutsViewFromJson(JSON.stringify({ ...payouts, pool: '1000' }))).toThrow(
      'payouts_json.pool: expected a number, got "1000"',
    );
    const badEntry = { ...payouts, entries: [{ ...payouts.entries[0], participant: 7 }] };
    expect(() => payoutsViewFromJson(JSON.stringify(badEntry))).toThrow('payouts_json.entries[0].participant');
    expect(() => privacyViewFromJson(JSON.stringify({ ...privacy, mode: 'none' }))).toThrow(
      'privacy_json.mode: expected one of distributed, central, local, got "none"',
    );
    expect(() => privacyViewFromJson('{"mode":')).toThrow('privacy_json: not valid JSON');
    expect(() => privacyViewFromJson('[]')).toThrow('privacy_json: expected an object, got an array');
  });

  it('reads a non-finite number (written as null) as NaN', () => {
    const v = payoutsViewFromJson(
      JSON.stringify({ ...payouts, entries: [{ ...payouts.entries[0], value: Number.NaN }] }),
    );
    expect(v.entries[0]?.value).toBeNaN();
  });
});
