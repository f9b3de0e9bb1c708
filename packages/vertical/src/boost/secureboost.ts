/**
 * The in-process SecureBoost driver: one guest, any number of hosts, every message relayed through a
 * transcript that records what each role receives. A service layer would relay the same messages.
 *
 * What each side learns (as in SecureBoost, Cheng et al. 2019): the host sees ciphertexts, the Galois key and
 * the row sets of the nodes (the instance space split), never labels, gradients or hessians in the clear;
 * the guest sees, per host feature, the bin sums of gradients and hessians of each node (it needs them to
 * pick splits), the host's feature count and the rows each host split sends left, never a host feature value
 * or threshold. Limitations: BFV in SEAL has no circuit privacy, so ciphertext noise could in principle leak
 * something about the host's computation; the guest knows which feature slot and bin index a host split uses,
 * though not what they mean.
 */
import type { BoostConfig } from './config.js';
import { type BoostSplit, type GuestBoostModel, type GuestStats, SecureBoostGuest } from './guest.js';
import { type HostBoostModel, SecureBoostHost } from './host.js';
import type { HostLink, HostScoreLink, ScoreQuery } from './messages.js';
import type { Tree } from './tree.js';

export interface TranscriptEntry {
  readonly to: 'guest' | `host ${number}`;
  readonly message: { readonly kind: string };
}

export interface SecureBoostInput {
  /** Guest feature columns over the aligned rows. */
  readonly guestFeatures: readonly ArrayLike<number>[];
  /** 0/1 labels over the aligned rows (guest only). */
  readonly labels: ArrayLike<number>;
  /** Per host, its feature columns over the same aligned rows in the same order. */
  readonly hostFeatures: readonly (readonly ArrayLike<number>[])[];
  readonly config?: Partial<BoostConfig>;
  /** Output classes per histogram ciphertext (default 128: four 32-slot features). */
  readonly classes?: number;
}

export interface SecureBoostResult {
  readonly guestModel: GuestBoostModel;
  readonly hostModels: readonly HostBoostModel[];
  readonly transcript: readonly TranscriptEntry[];
  readonly stats: GuestStats;
  /** Wall time of training in milliseconds (after key generation). */
  readonly trainMs: number;
  readonly setupMs: number;
}

/** Trains SecureBoost between a guest and its hosts in this process. */
export async function trainSecureBoost(input: SecureBoostInput): Promise<SecureBoostResult> {
  const transcript: TranscriptEntry[] = [];
  const record = <M extends { kind: string }>(to: TranscriptEntry['to'], message: M): M => {
    transcript.push({ to, message });
    return message;
  };
  const guest = new SecureBoostGuest(input.guestFeatures, input.labels, input.config, input.classes);
  const hosts = input.hostFeatures.map((features, i) => new SecureBoostHost(i, features));
  try {
    const started = performance.now();
    const hellos = hosts.map((h) => record('guest', h.hello()));
    const setup = await guest.setup(hellos);
    for (const [i, h] of hosts.entries()) await h.setup(record(`host ${i}`, setup));
    const setupMs = performance.now() - started;
    const links: HostLink[] = hosts.map((h, i) => ({
      histogram: async (request) => record('guest', h.histogram(record(`host ${i}`, request))),
      split: async (request) => record('guest', h.split(record(`host ${i}`, request))),
    }));
    const trainStart = performance.now();
    const guestModel = await guest.train(links, (m) => {
      for (const [i, h] of hosts.entries()) h.gradients(record(`host ${i}`, m));
    });
    return {
      guestModel,
      hostModels: hosts.map((h) => h.model()),
      transcript,
      stats: { ...guest.stats },
      setupMs,
      trainMs: performance.now() - trainStart,
    };
  } finally {
    guest.dispose();
    for (const h of hosts) h.dispose();
  }
}

/**
 * Joint scoring: the guest walks each tree over `rows` rows (its own feature columns `guestFeatures`), deciding
 * its own splits and asking the owning host at host splits which rows go left (in process or over a link).
 * `rowIds` names the rows to the hosts (default 0..rows-1: the hosts' columns are in the same order). Returns
 * margins (log-odds).
 */
export async function scoreSecureBoost(
  model: GuestBoostModel,
  guestFeatures: readonly ArrayLike<number>[],
  hosts: readonly HostScoreLink[],
  rows: number,
  onQuery?: (host: number, query: ScoreQuery) => void,
  rowIds?: Uint32Array,
): Promise<Float64Array> {
  const margin = new Float64Array(rows).fill(model.base);
  const ids = rowIds ?? Uint32Array.from({ length: rows }, (_, i) => i);
  if (ids.length !== rows) throw new Error(`scoring: ${ids.length} row ids for ${rows} rows`);
  const walk = async (tree: Tree<BoostSplit>, subset: Uint32Array): Promise<void> => {
    if (subset.length === 0) return;
    if ('leaf' in tree) {
      for (const r of subset) margin[r]! += tree.leaf;
      return;
    }
    const s = tree.split;
    let left: Uint32Array;
    if (s.party === 'guest') {
      const column = guestFeatures[s.feature]!;
      left = subset.filter((r) => column[r]! <= s.value);
    } else {
      const host = hosts[s.host];
      if (!host) throw new Error(`scoring: the model needs host ${s.host}, only ${hosts.length} hosts given`);
      // Hosts name rows by `ids`; ask in increasing id order and map the answer back to local rows.
      const local = Array.from(subset).sort((a, b) => ids[a]! - ids[b]!);
      const query: ScoreQuery = { kind: 'score-query', split: s.split, rows: Uint32Array.from(local, (r) => ids[r]!) };
      onQuery?.(s.host, query);
      const answer = await host.score(query);
      const leftIds = new Set(answer.left);
      left = subset.filter((r) => leftIds.has(ids[r]!));
    }
    const goesLeft = new Set(left);
    await walk(tree.left, left);
    await walk(
      tree.right,
      subset.filter((r) => !goesLeft.has(r)),
    );
  };
  const all = Uint32Array.from({ length: rows }, (_, i) => i);
  for (const tree of model.trees) await walk(tree, all);
  return margin;
}
