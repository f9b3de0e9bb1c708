// The owner's rules for audience overlap (config `overlap`): set size, counting peers, epsilon, runs, peer keys.

/**
 * In an overlap run one participant counts (it compares the doubly blinded sets, learns the exact
 * count and releases it with noise) and the other only blinds. The counting side sees the other's
 * set blinded under the other's key and gets its own set re-blinded by it: a counting peer that
 * deviates (a different blinding scalar per guessed identifier) can tell which of its guesses the
 * other holds. So a node blinds for a peer that counts only when its owner names that peer here.
 */
export interface OverlapPolicy {
  /** The fewest distinct identifiers this node puts in, and accepts from its peer. */
  minSetSize: number;
  /** Participant ids this node lets count against its set ("*": any); empty: this node only ever counts itself. */
  countingPeers: readonly string[];
  /**
   * The largest epsilon a job's spec may ask of this node for one noisy count (default 1). At epsilon 10 the
   * discrete Laplace noise is 0 with probability 0.9999: a padded set of one guess would be a membership test.
   */
  maxEpsilon?: number;
  /**
   * The most overlap runs this node takes part in within any 24 hours (default 3), over every peer and data set:
   * repeated noisy counts of the same customers average the noise away, and a coordinator without a roster
   * authority can name fresh peer ids, so the limit is the node's, not one peer's.
   */
  maxRunsPerDay?: number;
  /**
   * Identity keys (hex) the owner vouches for, by participant id: a peer named here must use this key, whatever this
   * node pinned on first use (how an owner accepts a peer's new key without a roster authority).
   */
  peerKeys?: Readonly<Record<string, string>>;
}

export const DEFAULT_MAX_EPSILON = 1;
export const DEFAULT_MAX_RUNS_PER_DAY = 3;

export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = Object.freeze({
  minSetSize: 100,
  countingPeers: [],
  maxEpsilon: DEFAULT_MAX_EPSILON,
  maxRunsPerDay: DEFAULT_MAX_RUNS_PER_DAY,
});

/** Whether `peer` may count against this node's set. */
export function mayCount(policy: OverlapPolicy, peer: string): boolean {
  return policy.countingPeers.includes('*') || policy.countingPeers.includes(peer);
}

const FIELDS = ['minSetSize', 'countingPeers', 'maxEpsilon', 'maxRunsPerDay', 'peerKeys'];

/** Parses the config's `overlap` mapping; `fail(field, message)` throws the config's error. */
export function parseOverlapPolicy(v: unknown, fail: (field: string, message: string) => never): OverlapPolicy {
  if (v === undefined) return DEFAULT_OVERLAP_POLICY;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('overlap', "must be a mapping like { minSetSize: 100, countingPeers: ['p-1a2b'] }");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k)) fail(`overlap.${k}`, `unknown field; known fields: ${FIELDS.join(', ')}`);
  const min = o.minSetSize ?? DEFAULT_OVERLAP_POLICY.minSetSize;
  if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 1)
    fail('overlap.minSetSize', `must be a positive integer (default 100), got ${JSON.stringify(min)}`);
  const peers = o.countingPeers ?? [];
  if (!Array.isArray(peers) || peers.some((p) => typeof p !== 'string' || p === ''))
    fail('overlap.countingPeers', `must be a list of participant ids (or "*" for any), got ${JSON.stringify(peers)}`);
  const maxEpsilon = o.maxEpsilon ?? DEFAULT_MAX_EPSILON;
  if (typeof maxEpsilon !== 'number' || !Number.isFinite(maxEpsilon) || maxEpsilon <= 0)
    fail(
      'overlap.maxEpsilon',
      `must be a positive number (default ${DEFAULT_MAX_EPSILON}), got ${JSON.stringify(maxEpsilon)}`,
    );
  const maxRuns = o.maxRunsPerDay ?? DEFAULT_MAX_RUNS_PER_DAY;
  if (typeof maxRuns !== 'number' || !Number.isSafeInteger(maxRuns) || maxRuns < 1)
    fail(
      'overlap.maxRunsPerDay',
      `must be a positive integer (default ${DEFAULT_MAX_RUNS_PER_DAY}), got ${JSON.stringify(maxRuns)}`,
    );
  const keys = o.peerKeys ?? {};
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys))
    fail('overlap.peerKeys', `must map participant ids to identity keys (64 hex digits), got ${JSON.stringify(keys)}`);
  for (const [id, k] of Object.entries(keys as Record<string, unknown>))
    if (typeof k !== 'string' || !/^[0-9a-f]{64}$/i.test(k))
      fail(`overlap.peerKeys.${id}`, `must be an Ed25519 identity key as 64 hex digits, got ${JSON.stringify(k)}`);
  const peerKeys = Object.fromEntries(
    Object.entries(keys as Record<string, string>).map(([id, k]) => [id, k.toLowerCase()]),
  );
  return {
    minSetSize: min as number,
    countingPeers: peers as string[],
    maxEpsilon: maxEpsilon as number,
    maxRunsPerDay: maxRuns as number,
    ...(Object.keys(peerKeys).length ? { peerKeys } : {}),
  };
}
