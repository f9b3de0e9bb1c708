import type { PayoutsView } from './payouts-view.js';
import type { PrivacyView } from './privacy-view.js';
import {
  arrayAt,
  numberAt,
  objectAt,
  oneOfAt,
  optionalNumberAt,
  optionalStringAt,
  parseWireJson,
  stringAt,
} from './wire-json.js';

/** A job's payout view from the coordinator's payouts_json, checked field by field. */
export function payoutsViewFromJson(text: string, where = 'payouts_json'): PayoutsView {
  const o = objectAt(parseWireJson(text, where), where);
  const entries = arrayAt(o, 'entries', where).map((e, i) => {
    const at = `${where}.entries[${i}]`;
    const x = objectAt(e, at);
    const seq = optionalNumberAt(x, 'seq', at);
    return {
      participant: stringAt(x, 'participant', at),
      value: numberAt(x, 'value', at),
      share: numberAt(x, 'share', at),
      amount: numberAt(x, 'amount', at),
      ...(seq !== undefined ? { seq } : {}),
    };
  });
  const reason = optionalStringAt(o, 'reason', where);
  const evaluations = optionalNumberAt(o, 'evaluations', where);
  const valuationSeconds = optionalNumberAt(o, 'valuationSeconds', where);
  const ledgerHead = optionalStringAt(o, 'ledgerHead', where);
  const valuationEpsilon = optionalNumberAt(o, 'valuationEpsilon', where);
  const valuationDelta = optionalNumberAt(o, 'valuationDelta', where);
  return {
    status: oneOfAt(o, 'status', ['paid', 'refused', 'failed'] as const, where),
    ...(reason !== undefined ? { reason } : {}),
    method: stringAt(o, 'method', where),
    metric: stringAt(o, 'metric', where),
    pool: numberAt(o, 'pool', where),
    currency: stringAt(o, 'currency', where),
    entries,
    ...(evaluations !== undefined ? { evaluations } : {}),
    ...(valuationSeconds !== undefined ? { valuationSeconds } : {}),
    ...(ledgerHead !== undefined ? { ledgerHead } : {}),
    coordinatorPublicKey: stringAt(o, 'coordinatorPublicKey', where),
    ...(valuationEpsilon !== undefined ? { valuationEpsilon } : {}),
    ...(valuationDelta !== undefined ? { valuationDelta } : {}),
  };
}

/** A job's privacy view from the coordinator's privacy_json, checked field by field. */
export function privacyViewFromJson(text: string, where = 'privacy_json'): PrivacyView {
  const o = objectAt(parseWireJson(text, where), where);
  const floor = o.survivorFloor;
  if (floor !== undefined && typeof floor !== 'number' && typeof floor !== 'string')
    throw new Error(`${where}.survivorFloor: expected a number or a string`);
  return {
    mode: oneOfAt(o, 'mode', ['distributed', 'central', 'local'] as const, where),
    unit: oneOfAt(o, 'unit', ['record', 'participant'] as const, where),
    epsilon: numberAt(o, 'epsilon', where),
    delta: numberAt(o, 'delta', where),
    noiseMultiplier: numberAt(o, 'noiseMultiplier', where),
    spentEpsilon: numberAt(o, 'spentEpsilon', where),
    sampling: oneOfAt(o, 'sampling', ['all', 'poisson', 'fixed-size'] as const, where),
    accountantSampleRate: numberAt(o, 'accountantSampleRate', where),
    ...(floor !== undefined ? { survivorFloor: floor } : {}),
    validationSplit: oneOfAt(o, 'validationSplit', ['none'] as const, where),
    protectsAgainst: stringAt(o, 'protectsAgainst', where),
    ...(o.valuation !== undefined ? { valuation: valuationReleaseAt(o.valuation, `${where}.valuation`) } : {}),
  };
}

/** A privacy view's valuation release (a DP job's records payout), checked field by field. */
function valuationReleaseAt(v: unknown, where: string): NonNullable<PrivacyView['valuation']> {
  const o = objectAt(v, where);
  return {
    method: oneOfAt(o, 'method', ['records'] as const, where),
    epsilon: numberAt(o, 'epsilon', where),
    delta: numberAt(o, 'delta', where),
    released: o.released === true,
  };
}
