// The `catalogue` job spec: a private item catalogue agreed from the merchants' interactions. Parsing only.
import { catalogueThresholdFloor } from './catalogue-threshold.js';
import { isObj, JobSpecError, num, type Obj, section, show, str } from './job-spec-fields.js';
import { epsilonDelta, kindSpecRoot, roundFields, secureRates } from './release-spec-fields.js';

/**
 * A catalogue job: the item ids that many customers across the participants serving `dataset` interacted with,
 * found by a trie grown one byte a round from noisy secure sums (catalogue-privacy.ts). DP is mandatory: the job
 * releases nothing exact.
 */
export interface CatalogueJobSpec {
  name: string;
  kind: 'catalogue';
  dataset: string;
  /** The item column (UTF-8 ids of at most maxLength bytes). */
  column: string;
  /** The customer column: the unit of privacy is one customer. */
  customerColumn: string;
  /** Distinct items counted per customer (a uniformly random subset when the customer has more). */
  maxItemsPerCustomer: number;
  /** The longest item id in bytes (UTF-8); a longer one is refused naming its row. Rounds: at most maxLength + 1. */
  maxLength: number;
  /** Extensions kept per round at most (the largest noisy counts). */
  maxCandidates: number;
  /** The noisy count an extension must reach; absent: catalogueThreshold (catalogue-privacy.ts). */
  threshold?: number;
  privacy: CataloguePrivacy;
  secure: { mode: 'masked'; dropoutRate: number; corruptFraction: number };
  minParticipants: number;
  roundTimeoutSeconds: number;
  waitForParticipantsSeconds: number;
}

/** Customer-level distributed DP over every round of the job. */
export interface CataloguePrivacy {
  mode: 'distributed';
  epsilon: number;
  delta: number;
  /** The most customers a participant counts (sizes the ring's room); a node with more refuses. */
  maxCustomers: number;
}

export const CATALOGUE_SPEC_DEFAULTS = {
  column: 'item_id',
  customerColumn: 'customer_id',
  maxItemsPerCustomer: 10,
  maxLength: 16,
  maxCandidates: 10_000,
  privacy: { epsilon: 8, delta: 1e-6, maxCustomers: 100_000 },
  minParticipants: 2,
  roundTimeoutSeconds: 300,
  waitForParticipantsSeconds: 120,
} as const;

/** Bounds: the vector of a round is maxCandidates x 257 counts. */
export const CATALOGUE_LIMITS = { maxItemsPerCustomer: 100, maxLength: 256, maxCandidates: 50_000 } as const;

const TOP_LEVEL = [
  'name',
  'kind',
  'dataset',
  'column',
  'customerColumn',
  'maxItemsPerCustomer',
  'maxLength',
  'maxCandidates',
  'threshold',
  'privacy',
  'secure',
  'minParticipants',
  'roundTimeoutSeconds',
  'waitForParticipantsSeconds',
  'submission',
];
const PRIVACY_FIELDS = ['mode', 'epsilon', 'delta', 'maxCustomers'];
const SECURE_FIELDS = ['mode', 'dropoutRate', 'corruptFraction'];

/** Is this spec a catalogue job's? */
export const isCatalogueSpec = (spec: unknown): boolean => isObj(spec) && spec.kind === 'catalogue';

/** Validates a catalogue job spec, fills defaults, and throws JobSpecError naming the first bad field. */
export function parseCatalogueSpec(spec: unknown): CatalogueJobSpec {
  const input = kindSpecRoot(spec, 'catalogue', TOP_LEVEL);
  const d = CATALOGUE_SPEC_DEFAULTS;
  const L = CATALOGUE_LIMITS;
  const column = str(input, 'column', '', d.column);
  const customerColumn = str(input, 'customerColumn', '', d.customerColumn);
  if (column === customerColumn)
    throw new JobSpecError('customerColumn', `names "${column}", which column (the item column) names too`);
  const threshold = input.threshold;
  if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 1))
    throw new JobSpecError(
      'threshold',
      `must be a number of at least 1 (a noisy count of customers), got ${show(threshold)}; omit it for the ` +
        'default, which noise alone clears with probability at most 1e-9',
    );
  const parsed: CatalogueJobSpec = {
    name: str(input, 'name', ''),
    kind: 'catalogue',
    dataset: str(input, 'dataset', ''),
    column,
    customerColumn,
    maxItemsPerCustomer: num(input, 'maxItemsPerCustomer', '', d.maxItemsPerCustomer, {
      int: true,
      min: 1,
      max: L.maxItemsPerCustomer,
    }),
    maxLength: num(input, 'maxLength', '', d.maxLength, { int: true, min: 1, max: L.maxLength }),
    maxCandidates: num(input, 'maxCandidates', '', d.maxCandidates, { int: true, min: 1, max: L.maxCandidates }),
    ...(threshold !== undefined ? { threshold: threshold as number } : {}),
    privacy: privacyOf(input),
    secure: secureOf(input),
    ...roundFields(input, d),
  };
  if (parsed.threshold !== undefined) checkThreshold(parsed.threshold, parsed);
  return parsed;
}

/** A threshold a lone customer's item clears with probability above 1e-9 would release it: refused. */
function checkThreshold(threshold: number, spec: CatalogueJobSpec): void {
  const { floor, z } = catalogueThresholdFloor(spec);
  if (threshold >= floor) return;
  throw new JobSpecError(
    'threshold',
    `${threshold} is below ${floor.toFixed(1)} (1 + 6 x ${z.toFixed(3)} x sqrt(maxItemsPerCustomer ` +
      `${spec.maxItemsPerCustomer})), 6 standard deviations of the least noise a round carries above one customer: ` +
      `a lone customer's item would clear it with probability above 1e-9; omit it (the default is higher) or ` +
      `raise it to ${floor.toFixed(1)} or more`,
  );
}

function privacyOf(input: Obj): CataloguePrivacy {
  const o = section(input, 'privacy', PRIVACY_FIELDS);
  const mode = o.mode ?? 'distributed';
  if (mode !== 'distributed')
    throw new JobSpecError(
      'privacy.mode',
      `must be "distributed": a catalogue job always adds noise (it releases nothing exact), got ${show(mode)}; ` +
        'declare a public catalogue in a recommend job instead when the item ids are not private',
    );
  const d = CATALOGUE_SPEC_DEFAULTS.privacy;
  return {
    mode,
    ...epsilonDelta(o, d),
    maxCustomers: num(o, 'maxCustomers', 'privacy.', d.maxCustomers, { int: true, min: 1, max: 1e8 }),
  };
}

function secureOf(input: Obj): CatalogueJobSpec['secure'] {
  const o = section(input, 'secure', SECURE_FIELDS);
  const mode = o.mode ?? 'masked';
  if (mode !== 'masked')
    throw new JobSpecError(
      'secure.mode',
      `must be "masked" (a catalogue round's noisy counts are decoded by the coordinator), got ${show(mode)}`,
    );
  return {
    mode,
    ...secureRates(o),
  };
}
