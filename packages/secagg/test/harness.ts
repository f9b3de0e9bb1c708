/**
 * Test helpers: round set-ups, seeded dropout plans and inputs, and stage-by-stage honest drivers for tests that step
 * in between stages. Whole rounds run through the package's own `simulateRound`.
 */
import { generateSigningKeyPair, seededRandom, type SigningKeyPair } from '@tessera/crypto';
import { randomBytes } from 'node:crypto';
import {
  ClientAdvertiseKeys,
  type ClientConsistencyCheck,
  type ClientMaskedInput,
  type ClientShareKeys,
  type ClientUnmask,
  completeGraph,
  SecAggError,
  ServerAdvertiseKeys,
  simulateRound,
  type SecAggErrorCode,
  type ServerConsistencyCheck,
  type ServerMaskedInput,
  type ServerShareKeys,
  type ServerUnmask,
  type Neighbourhood,
  type RoundConfig,
  type RoundDropouts,
  type ServerStats,
} from '@tessera/secagg';

const identityPool: SigningKeyPair[] = [];

/** n Ed25519 identities (reused across tests of one file: identities are long-term keys anyway). */
export function identities(n: number): SigningKeyPair[] {
  while (identityPool.length < n) identityPool.push(generateSigningKeyPair());
  return identityPool.slice(0, n);
}

export interface Setup {
  readonly config: RoundConfig;
  readonly modulus: number;
  readonly identities: SigningKeyPair[];
}

export function setup(options: {
  n: number;
  threshold: number;
  graph?: Neighbourhood;
  modulus?: number;
  dimension: number;
  roundId?: Uint8Array;
}): Setup {
  const ids = identities(options.n);
  const config: RoundConfig = {
    roundId: options.roundId ?? new Uint8Array(randomBytes(16)),
    n: options.n,
    threshold: options.threshold,
    graph: options.graph ?? completeGraph(options.n),
    modulus: options.modulus,
    dimension: options.dimension,
    identityKeys: ids.map((k) => k.publicKey),
  };
  return { config, modulus: options.modulus ?? 2 ** 32, identities: ids };
}

/** Where participants drop out. Each set is disjoint from the others. */
export type Dropouts = RoundDropouts;

export const STAGES = ['afterAdvertise', 'afterShareKeys', 'beforeMaskedInput', 'duringUnmask'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Dropouts drawn with a seeded generator (so a test always sees the same pattern):
 * - 'compounding': at each of the four stages, round(rate * remaining) of the remaining participants drop;
 * - 'spread': round(rate * n) participants drop, each at a stage drawn uniformly from the four;
 * - a stage name: round(rate * n) participants drop at that stage.
 */
export function planDropouts(n: number, rate: number, mode: 'compounding' | 'spread' | Stage, seed: string): Dropouts {
  const rng = seededRandom(`dropouts/${seed}`);
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const out: Record<Stage, number[]> = {
    afterAdvertise: [],
    afterShareKeys: [],
    beforeMaskedInput: [],
    duringUnmask: [],
  };
  if (mode === 'compounding') {
    let remaining = n;
    let next = 0;
    for (const stage of STAGES) {
      const k = Math.round(rate * remaining);
      out[stage] = order.slice(next, next + k);
      next += k;
      remaining -= k;
    }
  } else {
    const chosen = order.slice(0, Math.round(rate * n));
    for (const i of chosen) out[mode === 'spread' ? STAGES[rng.int(4)] : mode].push(i);
  }
  return out;
}

export function randomInputs(n: number, dimension: number, modulus: number, seed = 'inputs'): Uint32Array[] {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const x = new Uint32Array(dimension);
    for (let j = 0; j < dimension; j++) x[j] = rng.int(modulus);
    return x;
  });
}

/** (a - b) mod modulus, elementwise, exactly. */
export function subtractMod(a: Uint32Array, b: Uint32Array, modulus: number): Uint32Array {
  const m = BigInt(modulus);
  return Uint32Array.from(a, (x, j) => Number((((BigInt(x) - BigInt(b[j])) % m) + m) % m));
}

/** Sum of inputs[i] for i in members, mod modulus, exactly. */
export function expectedSum(inputs: readonly Uint32Array[], members: Iterable<number>, modulus: number): Uint32Array {
  const m = BigInt(modulus);
  const d = inputs[0].length;
  const acc = new Array<bigint>(d).fill(0n);
  for (const i of members) for (let j = 0; j < d; j++) acc[j] += BigInt(inputs[i][j]);
  return Uint32Array.from(acc.map((v) => Number(v % m)));
}

export interface RoundResult {
  readonly sum: Uint32Array;
  readonly expected: Uint32Array;
  readonly u1: number[];
  readonly u2: number[];
  readonly survivors: number[];
  readonly dropped: number[];
  readonly signers: number[];
  readonly responders: number[];
  readonly stats: ServerStats;
  /**
   * Sealed rounds only: the survivors' masked vectors (as the analyst's ciphertexts would hold them) and the server's
   * mask correction.
   */
  readonly sealed?: { readonly masked: ReadonlyMap<number, Uint32Array>; readonly correction: Uint32Array };
}

/**
 * One full round in memory. `inputs` defaults to seeded random vectors below the modulus. With `sealed`, the
 * server gets only `receiveSealed(i)` (the masked vectors stay out of its sight, kept in `sealed.masked`),
 * and `sum` is sum(masked) - maskCorrection() mod the modulus, computed here.
 */
export function runRound(
  s: Setup,
  options: { inputs?: readonly Uint32Array[]; dropouts?: Dropouts; sealed?: boolean } = {},
): RoundResult {
  const inputs = options.inputs ?? randomInputs(s.config.n, s.config.dimension, s.modulus);
  const round = { config: s.config, identities: s.identities, inputs, dropouts: options.dropouts };
  const expected = (survivors: readonly number[]) => expectedSum(inputs, survivors, s.modulus);
  if (!options.sealed) {
    const { mode: _, ...r } = simulateRound(round);
    return { ...r, expected: expected(r.survivors) };
  }
  // The sealed uploads are the masked vectors themselves, kept here out of the server's sight.
  const masked = new Map<number, Uint32Array>();
  const sealed = simulateRound(round, { seal: (_i, y) => y, absorb: (i, y) => masked.set(i, y) });
  const { mode: _, maskCorrection: correction, ...r } = sealed;
  const ys = [...masked.values()];
  const sum = subtractMod(
    expectedSum(
      ys,
      ys.map((_, k) => k),
      s.modulus,
    ),
    correction,
    s.modulus,
  );
  return { ...r, sum, expected: expected(r.survivors), sealed: { masked, correction } };
}

/**
 * Whether a dropout plan leaves the round recoverable when every client stays until its planned stage:
 * every stage keeps t participants, each client sees t - 1 neighbours at each exchange, every responder sees t
 * signers of the survivor set among its neighbourhood (itself included), every survivor's self-mask seed has t
 * responding holders (itself or neighbours) and every dropped participant's masking key has t responding
 * neighbours. A seeded plan either always passes or always fails this check.
 */
export function feasible(graph: Neighbourhood, threshold: number, dropouts: Dropouts): boolean {
  const n = graph.n;
  const gone = (keys: (keyof Dropouts)[]) => new Set(keys.flatMap((k) => [...(dropouts[k] ?? [])]));
  const all = Array.from({ length: n }, (_, i) => i);
  const u1 = all.filter((i) => !gone(['beforeAdvertise']).has(i));
  const u2 = u1.filter((i) => !gone(['afterAdvertise']).has(i));
  const u3 = u2.filter((i) => !gone(['afterShareKeys', 'beforeMaskedInput']).has(i));
  const signers = new Set(u3.filter((i) => !gone(['beforeConsistencyCheck']).has(i)));
  const responders = new Set([...signers].filter((i) => !gone(['duringUnmask']).has(i)));
  const count = (i: number, set: Set<number>) => graph.neighbours(i).filter((j) => set.has(j)).length;
  const s1 = new Set(u1),
    s2 = new Set(u2);
  if (u3.length < threshold || signers.size < threshold || responders.size < threshold) return false;
  if ([...responders].some((i) => count(i, signers) + 1 < threshold)) return false;
  if (u2.some((i) => count(i, s1) + 1 < threshold)) return false;
  if (u3.some((i) => count(i, s2) + 1 < threshold)) return false;
  if (u3.some((v) => count(v, responders) + (responders.has(v) ? 1 : 0) < threshold)) return false;
  const dropped = u2.filter((v) => !u3.includes(v));
  return dropped.every((v) => count(v, responders) >= threshold);
}

// Honest stage-by-stage helpers, for tests that step in between stages.

export function honestAdvertise(
  s: Setup,
  skip: Iterable<number> = [],
): { server: ServerAdvertiseKeys; clients: Map<number, ClientAdvertiseKeys> } {
  const server = new ServerAdvertiseKeys(s.config);
  const clients = new Map<number, ClientAdvertiseKeys>();
  const skipped = new Set(skip);
  for (let i = 0; i < s.config.n; i++) {
    if (skipped.has(i)) continue;
    const client = new ClientAdvertiseKeys(s.config, i, s.identities[i].secretKey);
    clients.set(i, client);
    server.receive(client.advertise());
  }
  return { server, clients };
}

export function honestShareKeys(
  server: ServerShareKeys,
  clients: ReadonlyMap<number, ClientAdvertiseKeys>,
): Map<number, ClientShareKeys> {
  const out = new Map<number, ClientShareKeys>();
  for (const [i, client] of clients) {
    const next = client.receiveKeys(server.forwardedKeys(i));
    out.set(i, next);
    server.receive(next.shareKeys());
  }
  return out;
}

export function honestReceiveShares(
  server: ServerMaskedInput,
  clients: ReadonlyMap<number, ClientShareKeys>,
): Map<number, ClientMaskedInput> {
  const out = new Map<number, ClientMaskedInput>();
  for (const [i, client] of clients) out.set(i, client.receiveShares(server.sharesFor(i)));
  return out;
}

export function honestMask(
  server: ServerMaskedInput,
  clients: ReadonlyMap<number, ClientMaskedInput>,
  inputs: readonly Uint32Array[],
): Map<number, ClientConsistencyCheck> {
  const out = new Map<number, ClientConsistencyCheck>();
  for (const [i, client] of clients) {
    const { message, next } = client.mask(inputs[i]);
    out.set(i, next);
    server.receive(message);
  }
  return out;
}

/** Every client signs the survivor set the server shows; returns the unmask stage of both sides. */
export function honestCheck(
  server: ServerConsistencyCheck,
  clients: ReadonlyMap<number, ClientConsistencyCheck>,
): { server: ServerUnmask; clients: Map<number, ClientUnmask> } {
  const request = server.consistencyRequest();
  const out = new Map<number, ClientUnmask>();
  for (const [i, client] of clients) {
    const { message, next } = client.sign(request);
    out.set(i, next);
    server.receive(message);
  }
  return { server: server.close(), clients: out };
}

/** The consistency check and the unmask stage of an honest round: the sum. */
export function honestUnmask(
  server: ServerConsistencyCheck,
  clients: ReadonlyMap<number, ClientConsistencyCheck>,
): Uint32Array {
  const unmask = honestCheck(server, clients);
  for (const [i, client] of unmask.clients)
    unmask.server.receive(client.unmask(unmask.server.unmaskRequest(i)).message);
  return unmask.server.finish();
}

/** Runs `fn`, expects a SecAggError with `code`, and returns it. */
export function expectSecAggError(fn: () => unknown, code: SecAggErrorCode): SecAggError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SecAggError)) throw new Error(`expected SecAggError '${code}', got ${String(e)}`);
    if (e.code !== code) throw new Error(`expected SecAggError '${code}', got '${e.code}': ${e.message}`);
    return e;
  }
  throw new Error(`expected SecAggError '${code}', but nothing was thrown`);
}

/** An honest round up to the masked-input stage (clients ready to mask, server waiting for masked inputs). */
export function upToMaskedInput(s: Setup): { server: ServerMaskedInput; clients: Map<number, ClientMaskedInput> } {
  const a = honestAdvertise(s);
  const shareKeys = a.server.close();
  const sharing = honestShareKeys(shareKeys, a.clients);
  const server = shareKeys.close();
  return { server, clients: honestReceiveShares(server, sharing) };
}
