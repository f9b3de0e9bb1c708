// The owner's rules for audience overlap (config `overlap`): a minimum set size and which peers may count.

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
}

export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = Object.freeze({ minSetSize: 100, countingPeers: [] });

/** Whether `peer` may count against this node's set. */
export function mayCount(policy: OverlapPolicy, peer: string): boolean {
  return policy.countingPeers.includes('*') || policy.countingPeers.includes(peer);
}

/** Parses the config's `overlap` mapping; `fail(field, message)` throws the config's error. */
export function parseOverlapPolicy(v: unknown, fail: (field: string, message: string) => never): OverlapPolicy {
  if (v === undefined) return DEFAULT_OVERLAP_POLICY;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    fail('overlap', "must be a mapping like { minSetSize: 100, countingPeers: ['p-1a2b'] }");
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'minSetSize' && k !== 'countingPeers')
      fail(`overlap.${k}`, 'unknown field; known fields: minSetSize, countingPeers');
  const min = o.minSetSize ?? DEFAULT_OVERLAP_POLICY.minSetSize;
  if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 1)
    fail('overlap.minSetSize', `must be a positive integer (default 100), got ${JSON.stringify(min)}`);
  const peers = o.countingPeers ?? [];
  if (!Array.isArray(peers) || peers.some((p) => typeof p !== 'string' || p === ''))
    fail('overlap.countingPeers', `must be a list of participant ids (or "*" for any), got ${JSON.stringify(peers)}`);
  return { minSetSize: min as number, countingPeers: peers as string[] };
}
