// `npm run bench` part "payouts": the cost of contribution valuation against federation size and the
// verification rate of the signed payout ledger (@tessera/payouts).
//
// Valuation runs on a real federation, in-process: logistic regression on breast_cancer trained by FedAvg
// exactly as participants and the coordinator do it (each participant trains from the global model with
// trainLogistic and uploads delta = local - global with weight = its example count; the strategy's
// aggregateFit makes the next model). Every round's start model, deltas and weights are kept, and the
// per-round games of multi-round reconstruction (federatedRoundGames, what the coordinator values jobs
// with) are valued by exact Shapley, TMC-Shapley, GTG-Shapley and leave-one-out through valueRounds.
// The coalition utility is the product's default payout metric, the negated log loss on the validation rows
// (coordinator validationUtility: -evaluateBinary(model, data).loss); option metric: 'auc' values with validation AUC instead.
// Where exact Shapley is too costly the reference is a stratified Monte Carlo estimate (stratifiedReference).
import { agreeSchema, encodeTable, parseSplit, profileTable, readCsvFile, splitRows, trainTestSplit } from '@tessera/data';
import { deltaOf, FedAvg } from '@tessera/fl';
import {
  auc, DEFAULT_LOGISTIC, evaluateBinary, logisticInit, logLoss, momentsOf, predictProba, seededRandom, standardizationFrom, standardize, takeRows, trainLogistic,
  type LabeledData, type LogisticConfig,
} from '@tessera/ml';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  appendEntries, CachedGame, federatedRoundGames, GENESIS_HASH, ledgerLine, valueRounds, verifyLedger,
  type Game, type GtgOptions, type PayoutRecord, type RoundUpdates, type ValuationMethod,
} from '@tessera/payouts';
import { describeMachine, machineInfo, type MachineInfo } from '../machine.js';
import { fixed } from '../stats.js';
import { benchTable } from '../table.js';

/** The coalition utility: 'logLoss' = negated validation log loss (the product's default payout.metric), 'auc' = validation AUC. */
export type PayoutsMetric = 'logLoss' | 'auc';

export interface PayoutsBenchOptions {
  /** The validation metric that is a coalition's utility (as coordinator validationUtility computes it). */
  metric: PayoutsMetric;
  /** Federation sizes n to value. */
  sizes: number[];
  /** FedAvg rounds per federation. */
  rounds: number;
  data: string;
  label: string;
  testFraction: number;
  seed: string;
  local: LogisticConfig;
  /** Exact Shapley runs only up to this n, and only when its predicted time is within exactBudgetSeconds. */
  exactMaxPlayers: number;
  exactBudgetSeconds: number;
  /** The estimators compared with exact Shapley, each a valueRounds method with options. */
  estimators: Estimator[];
  /** Reference where exact is skipped: stratified Monte Carlo (stratifiedReference) with this many coalitions per size stratum. */
  referencePerStratum: number;
  /** Also run the reference estimator at the largest n that has exact values, to show its own error. */
  calibrateReference: boolean;
  /** Payout ledger entries to sign and verify. */
  ledgerEntries: number;
}

export const PAYOUTS_DEFAULTS: PayoutsBenchOptions = {
  metric: 'logLoss',
  sizes: [4, 6, 8, 10, 12, 16, 20],
  rounds: 20,
  data: 'examples/data/breast_cancer.csv',
  label: 'benign',
  testFraction: 0.2,
  seed: 'bench-payouts',
  local: { ...DEFAULT_LOGISTIC },
  exactMaxPlayers: 16,
  exactBudgetSeconds: 60,
  estimators: [
    { label: 'tmc', method: 'tmc', options: { maxPermutations: 500, tolerance: 0.01, convergence: 0.01, window: 20, seed: 'bench-payouts/tmc' } },
    { label: 'tmc, no truncation', method: 'tmc', options: { maxPermutations: 500, tolerance: 0, convergence: 0.01, window: 20, seed: 'bench-payouts/tmc' } },
    { label: 'gtg', method: 'gtg', options: { maxPermutations: 500, betweenRoundTolerance: 0.001, withinRoundTolerance: 0.001, convergence: 0.01, window: 20, seed: 'bench-payouts/gtg' } },
    { label: 'gtg, no truncation', method: 'gtg', options: { maxPermutations: 500, betweenRoundTolerance: 0, withinRoundTolerance: 0, convergence: 0.01, window: 20, seed: 'bench-payouts/gtg' } },
    { label: 'gtg, convergence 0.001', method: 'gtg', options: { maxPermutations: 1000, betweenRoundTolerance: 0.001, withinRoundTolerance: 0.001, convergence: 0.001, window: 20, seed: 'bench-payouts/gtg' } },
    { label: 'loo', method: 'loo', options: {} },
  ],
  referencePerStratum: 100,
  calibrateReference: true,
  ledgerEntries: 100_000,
};

/** One participant's place in the federation. */
export type ParticipantRole = 'duplicate-source' | 'noisy' | 'honest' | 'duplicate';

export interface ErrorToReference {
  /** ||v - v*|| / ||v*||. */
  relativeL2: number;
  /** max_i |v_i - v*_i| / Σ|v*_i|. */
  maxAbsOverL1: number;
  /** Spearman rank correlation with the reference values. */
  spearman: number;
}

export interface Estimator {
  label: string;
  method: ValuationMethod;
  options: GtgOptions;
}

export interface MethodRow {
  label: string;
  method: ValuationMethod | 'stratified-reference';
  seconds: number;
  /** Utility computations (distinct coalitions per round, summed over rounds). */
  evaluations: number;
  permutations: number | null;
  roundsSkipped: number | null;
  values: number[];
  /** Error against this size's reference (exact, or the stratified Monte Carlo reference); null for the reference itself. */
  error: ErrorToReference | null;
  /** 1 = most valuable. */
  noisyRank: number;
  noisyLast: boolean;
  /** value of the duplicate / value of its source. */
  duplicateRatio: number;
  /** (source + duplicate) / mean value of the honest participants. */
  duplicatePairOverHonestMean: number;
}

export interface SizeResult {
  players: number;
  roles: ParticipantRole[];
  examples: number[];
  /** Validation AUC of the global model after each round (the last is the final model's). */
  aucByRound: number[];
  /** Validation log loss of the global model after each round. */
  logLossByRound: number[];
  trainSeconds: number;
  reference: 'exact' | 'stratified-reference';
  /** Why exact Shapley was skipped (null when it ran). */
  exactSkipped: string | null;
  /** Per-player standard error of the stratified reference (summed over strata and rounds), and ||se|| / ||v_ref||; null with exact. */
  referenceStdErr: number[] | null;
  referenceRelativeStdErr: number | null;
  methods: MethodRow[];
  /** At the largest exact size: the stratified reference estimator's own error against exact. */
  referenceCalibration: (MethodRow & { relativeStdErr: number }) | null;
}

export interface LedgerTiming {
  entries: number;
  signSeconds: number;
  entriesSignedPerSecond: number;
  bytes: number;
  verifySeconds: number;
  entriesVerifiedPerSecond: number;
  ok: boolean;
}

export interface PayoutsBenchReport {
  benchmark: 'payouts';
  date: string;
  machine: MachineInfo;
  options: PayoutsBenchOptions;
  setup: {
    data: string;
    label: string;
    rows: number;
    features: number;
    trainRows: number;
    validationRows: number;
    split: string;
    standardisation: string;
    /** The metric the utility used (options.metric). */
    metric: PayoutsMetric;
    utility: string;
    strategy: string;
    noisy: string;
    duplicate: string;
  };
  sizes: SizeResult[];
  ledger: LedgerTiming;
  totalSeconds: number;
  /** Every valuation ran and the ledger verified. */
  pass: boolean;
}

/**
 * The coalition utility of a model, computed as coordinator validationUtility does: evaluateBinary on the validation
 * rows, then -loss for 'logLoss' (higher is better) or the AUC for 'auc'.
 */
export function utilityOf(metric: PayoutsMetric, validation: LabeledData): (model: Float64Array) => number {
  return (model) => {
    const m = evaluateBinary(model, validation);
    const v = metric === 'auc' ? m.auc : -m.loss;
    if (!Number.isFinite(v)) throw new Error(`the validation rows give no ${metric}`);
    return v;
  };
}

const secondsSince = (t: number) => (performance.now() - t) / 1000;

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function ranks(v: readonly number[]): number[] {
  // average ranks, 1 = largest value
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => b[0] - a[0]);
  const r = new Array<number>(v.length);
  for (let first = 0; first < order.length;) {
    let last = first;
    while (last + 1 < order.length && order[last + 1][0] === order[first][0]) last++;
    for (let k = first; k <= last; k++) r[order[k][1]] = (first + last) / 2 + 1;
    first = last + 1;
  }
  return r;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a), rb = ranks(b);
  const mean = (ra.length + 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : Number.NaN;
}

export function errorTo(values: readonly number[], reference: readonly number[]): ErrorToReference {
  const diff = values.map((v, i) => v - reference[i]);
  const l1 = reference.reduce((s, x) => s + Math.abs(x), 0);
  return {
    relativeL2: norm(diff) / norm(reference),
    maxAbsOverL1: Math.max(...diff.map(Math.abs)) / l1,
    spearman: spearman(values, reference),
  };
}

/** Masks of every k-subset of `items`. */
function subsetsOfSize(items: readonly number[], k: number): number[] {
  const out: number[] = [];
  const walk = (from: number, left: number, mask: number) => {
    if (left === 0) {
      out.push(mask);
      return;
    }
    for (let j = from; j <= items.length - left; j++) walk(j + 1, left - 1, mask | (1 << items[j]));
  };
  walk(0, k, 0);
  return out;
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let j = 1; j <= k; j++) b = (b * (n - k + j)) / j;
  return Math.round(b);
}

/**
 * Stratified Monte Carlo Shapley (Maleki et al. 2013; Castro et al. 2017): the Shapley value of i is the mean over
 * coalition sizes k = 0..n-1 of the mean marginal U(S + i) - U(S) over the k-subsets S of the others. A stratum with
 * at most `perStratum` subsets is enumerated exactly; a larger one is estimated from `perStratum` uniform k-subsets.
 * Unbiased; the error comes only from the sampled strata, where marginals are small (coalitions are large or mid-sized),
 * so at equal cost it is far more precise than permutation sampling on these games. Standard error per player: the
 * sampled strata's sample variances over the draws, summed in quadrature over strata and rounds.
 */
export function stratifiedReference(rounds: readonly Game[], perStratum: number, seed: string): { values: number[]; stdErr: number[]; evaluations: number; seconds: number } {
  const t0 = performance.now();
  const n = rounds[0].players;
  const random = seededRandom(seed);
  const values = new Array<number>(n).fill(0);
  const variance = new Array<number>(n).fill(0);
  let evaluations = 0;
  for (const round of rounds) {
    const game = new CachedGame(round);
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      const others = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
      for (let k = 0; k < n; k++) {
        let sum = 0, sumSquares = 0, count = 0;
        const add = (s: number) => {
          const m = game.utility(s | bit) - game.utility(s);
          sum += m;
          sumSquares += m * m;
          count++;
        };
        if (binomial(n - 1, k) <= perStratum) {
          for (const s of subsetsOfSize(others, k)) add(s);
          values[i] += sum / count / n;
        } else {
          const pool = others.slice();
          for (let r = 0; r < perStratum; r++) {
            let s = 0;
            for (let j = 0; j < k; j++) {
              const pick = j + random.int(pool.length - j);
              [pool[j], pool[pick]] = [pool[pick], pool[j]];
              s |= 1 << pool[j];
            }
            add(s);
          }
          const mean = sum / count;
          values[i] += mean / n;
          variance[i] += Math.max(0, (sumSquares - count * mean * mean) / (count - 1)) / count / (n * n);
        }
      }
    }
    evaluations += game.evaluations;
  }
  return { values, stdErr: variance.map(Math.sqrt), evaluations, seconds: secondsSince(t0) };
}

export interface Prepared {
  /** Standardised training rows (table row index -> matrix row) and the validation set. */
  all: LabeledData;
  train: Uint32Array;
  validation: LabeledData;
  rowsOfTable: number;
  features: number;
  table: ReturnType<typeof readCsvFile>;
}

export function prepare(o: PayoutsBenchOptions): Prepared {
  const table = readCsvFile(o.data);
  const schema = agreeSchema([profileTable(table, o.label)]);
  const enc = encodeTable(table, schema);
  const { train, test } = trainTestSplit(enc.n, o.testFraction, seededRandom(`${o.seed}/holdout`), enc.y);
  const s = standardizationFrom(momentsOf(takeRows(enc, train)));
  const all: LabeledData = { ...standardize(enc, s), y: enc.y };
  return { all, train, validation: takeRows(all, test), rowsOfTable: enc.n, features: enc.d, table };
}

/** The federation of n: n - 1 IID shards of the training rows; participant 1's labels shuffled; participant n - 1 a copy of participant 0. */
function federation(p: Prepared, n: number, seed: string): { data: LabeledData[]; roles: ParticipantRole[] } {
  const rng = seededRandom(`${seed}/split/${n}`);
  const shards = splitRows(p.table, p.train, p.all.y, n - 1, parseSplit('iid'), rng);
  const data = shards.map((rows) => takeRows(p.all, rows));
  const noisy = data[1];
  const labels = Array.from(noisy.y);
  rng.shuffle(labels);
  data[1] = { ...noisy, y: Float64Array.from(labels) };
  data.push({ ...data[0], x: data[0].x.slice(), y: data[0].y.slice() });
  const roles: ParticipantRole[] = data.map((_, i) => (i === 0 ? 'duplicate-source' : i === 1 ? 'noisy' : i === n - 1 ? 'duplicate' : 'honest'));
  return { data, roles };
}

/** FedAvg over all participants for `rounds` rounds, keeping each round's start model, deltas and weights. */
function train(data: LabeledData[], rounds: number, cfg: LogisticConfig, seed: string, validation: LabeledData): { rounds: RoundUpdates[]; strategy: FedAvg; aucByRound: number[]; logLossByRound: number[] } {
  const strategy = new FedAvg({ learningRate: cfg.learningRate, batchSize: cfg.batchSize, localEpochs: cfg.epochs });
  let global = logisticInit(data[0].d);
  const history: RoundUpdates[] = [];
  const aucByRound: number[] = [];
  const logLossByRound: number[] = [];
  for (let t = 0; t < rounds; t++) {
    const updates: Float64Array[] = [];
    const weights: number[] = [];
    const weightedSum = new Float64Array(global.length);
    let totalWeight = 0;
    data.forEach((local, i) => {
      const result = trainLogistic(global, local, cfg, seededRandom(`${seed}/participant-${i}/round-${t}`));
      const delta = deltaOf(result.weights, global);
      const w = strategy.contributionWeight(local.n);
      updates.push(delta);
      weights.push(w);
      for (let k = 0; k < delta.length; k++) weightedSum[k] += w * delta[k];
      totalWeight += w;
    });
    history.push({ start: global, updates, weights });
    global = strategy.aggregateFit(t, global, { weightedSum, totalWeight, contributors: data.length });
    const p = predictProba(global, validation);
    aucByRound.push(auc(validation.y, p));
    logLossByRound.push(logLoss(validation.y, p));
  }
  return { rounds: history, strategy, aucByRound, logLossByRound };
}

/** The federation of n trained for o.rounds rounds, and its per-round games (as the coordinator builds them). */
export function buildFederation(p: Prepared, n: number, o: PayoutsBenchOptions): { games: Game[]; roles: ParticipantRole[]; examples: number[]; aucByRound: number[]; logLossByRound: number[]; trainSeconds: number } {
  const t0 = performance.now();
  const fed = federation(p, n, o.seed);
  const trained = train(fed.data, o.rounds, o.local, `${o.seed}/n${n}`, p.validation);
  const trainSeconds = secondsSince(t0);
  const { strategy } = trained;
  const games = federatedRoundGames(
    trained.rounds,
    (t, start, sum, total) => strategy.aggregateFit(t, start, { weightedSum: sum, totalWeight: total, contributors: 1 }),
    utilityOf(o.metric, p.validation),
  );
  return { games, roles: fed.roles, examples: fed.data.map((d) => d.n), aucByRound: trained.aucByRound, logLossByRound: trained.logLossByRound, trainSeconds };
}

function describeRow(label: string, method: MethodRow['method'], r: { values: number[]; seconds: number; evaluations: number; permutations?: number; roundsSkipped?: number }, roles: ParticipantRole[], reference: number[] | null): MethodRow {
  const noisy = roles.indexOf('noisy'), source = roles.indexOf('duplicate-source'), dup = roles.indexOf('duplicate');
  const rank = ranks(r.values);
  const honest = r.values.filter((_, i) => roles[i] === 'honest');
  const honestMean = honest.length ? honest.reduce((s, x) => s + x, 0) / honest.length : Number.NaN;
  return {
    label,
    method,
    seconds: fixed(r.seconds, 4),
    evaluations: r.evaluations,
    permutations: r.permutations ?? null,
    roundsSkipped: r.roundsSkipped ?? null,
    values: r.values,
    error: reference ? errorTo(r.values, reference) : null,
    noisyRank: rank[noisy],
    noisyLast: r.values.every((v, i) => i === noisy || v > r.values[noisy]),
    duplicateRatio: r.values[dup] / r.values[source],
    duplicatePairOverHonestMean: (r.values[dup] + r.values[source]) / honestMean,
  };
}

/** The valuation part for one federation size. */
export function valueSize(p: Prepared, n: number, o: PayoutsBenchOptions, log: (line: string) => void, exactSecondsPerEvaluation: number | null): SizeResult & { exactSecondsPerEvaluation: number | null } {
  const fed = buildFederation(p, n, o);
  const { games, trainSeconds } = fed;
  log(`n = ${n}: trained ${o.rounds} rounds in ${trainSeconds.toFixed(2)} s, final validation AUC ${fed.aucByRound.at(-1)?.toFixed(4)}, log loss ${fed.logLossByRound.at(-1)?.toFixed(4)}; utility ${o.metric}`);

  let exactSkipped: string | null = null;
  const exactEvaluations = 2 ** n * o.rounds;
  if (n > o.exactMaxPlayers) exactSkipped = `n > ${o.exactMaxPlayers} (2^${n} x ${o.rounds} = ${exactEvaluations.toExponential(2)} utilities)`;
  else if (exactSecondsPerEvaluation !== null) {
    const predicted = exactSecondsPerEvaluation * exactEvaluations * (n / 10);
    if (predicted > o.exactBudgetSeconds) exactSkipped = `predicted ${predicted.toFixed(0)} s > budget ${o.exactBudgetSeconds} s`;
  }

  const methods: MethodRow[] = [];
  let reference: number[];
  let referenceKind: SizeResult['reference'];
  let referenceStdErr: number[] | null = null;
  let referenceRelativeStdErr: number | null = null;
  let secondsPerEvaluation: number | null = exactSecondsPerEvaluation;
  if (exactSkipped === null) {
    const exact = valueRounds('shapley', games);
    reference = exact.values;
    referenceKind = 'exact';
    methods.push(describeRow('exact', 'shapley', exact, fed.roles, reference));
    secondsPerEvaluation = exact.seconds / exact.evaluations / (n / 10);
    log(`n = ${n}: exact Shapley ${exact.evaluations} utilities in ${exact.seconds.toFixed(2)} s`);
  } else {
    const mc = stratifiedReference(games, o.referencePerStratum, `${o.seed}/reference/${n}`);
    reference = mc.values;
    referenceKind = 'stratified-reference';
    referenceStdErr = mc.stdErr.map((x) => fixed(x, 6));
    referenceRelativeStdErr = norm(mc.stdErr) / norm(mc.values);
    methods.push(describeRow('stratified reference', 'stratified-reference', mc, fed.roles, null));
    log(`n = ${n}: exact skipped (${exactSkipped}); stratified reference (${o.referencePerStratum} per stratum), ${mc.evaluations} utilities in ${mc.seconds.toFixed(1)} s, relative std. error ${referenceRelativeStdErr.toFixed(4)}`);
  }
  for (const { label, method, options } of o.estimators) {
    const r = valueRounds(method, games, options);
    methods.push(describeRow(label, method, r, fed.roles, reference));
    const e = methods.at(-1)!.error!;
    log(`n = ${n}: ${label}: ${r.evaluations} utilities, ${r.permutations ?? '-'} permutations, ${r.seconds.toFixed(2)} s, relative L2 error ${e.relativeL2.toFixed(4)} against ${referenceKind}`);
  }
  return {
    players: n,
    roles: fed.roles,
    examples: fed.examples,
    aucByRound: fed.aucByRound.map((a) => fixed(a, 4)),
    logLossByRound: fed.logLossByRound.map((a) => fixed(a, 4)),
    trainSeconds: fixed(trainSeconds, 3),
    reference: referenceKind,
    exactSkipped,
    referenceStdErr,
    referenceRelativeStdErr,
    methods,
    referenceCalibration: null,
    exactSecondsPerEvaluation: secondsPerEvaluation,
  };
}

/** Signs `entries` payout records into a hash-chained ledger and verifies its JSON Lines text. */
export function timeLedger(entries: number): LedgerTiming {
  const keys = generateSigningKeyPair();
  const timestamp = new Date(0).toISOString();
  const records: PayoutRecord[] = Array.from({ length: entries }, (_, i) => ({
    job: `job-${Math.floor(i / 20)}`, participant: `participant-${i % 20}`, amount: 1000 + (i % 997), currency: 'EUR', method: 'gtg', share: fixed(1 / 20, 6), timestamp,
  }));
  let t = performance.now();
  const ledger = appendEntries({ seq: 0, hash: GENESIS_HASH }, records, keys.secretKey);
  const signSeconds = secondsSince(t);
  const text = ledger.map((e) => ledgerLine(e)).map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
  t = performance.now();
  const verified = verifyLedger(text, keys.publicKey);
  const verifySeconds = secondsSince(t);
  if (!verified.ok) throw new Error(`the benchmark ledger did not verify: line ${verified.line}: ${verified.reason}`);
  return {
    entries,
    signSeconds: fixed(signSeconds, 3),
    entriesSignedPerSecond: Math.round(entries / signSeconds),
    bytes: Buffer.byteLength(text),
    verifySeconds: fixed(verifySeconds, 3),
    entriesVerifiedPerSecond: Math.round(verified.entries / verifySeconds),
    ok: verified.ok && verified.entries === entries,
  };
}

export async function runPayoutsBenchWith(o: PayoutsBenchOptions, log: (line: string) => void): Promise<PayoutsBenchReport> {
  const started = performance.now();
  const machine = machineInfo();
  log(describeMachine(machine));
  const p = prepare(o);
  const sizes: SizeResult[] = [];
  let secondsPerEvaluation: number | null = null;
  for (const n of o.sizes) {
    const { exactSecondsPerEvaluation, ...r } = valueSize(p, n, o, log, secondsPerEvaluation);
    secondsPerEvaluation = exactSecondsPerEvaluation;
    sizes.push(r);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const lastExact = [...sizes].reverse().find((s) => s.reference === 'exact');
  if (o.calibrateReference && lastExact) {
    // The stratified reference's own error, where exact values exist (same federation, rebuilt deterministically).
    const n = lastExact.players;
    const { games, roles } = buildFederation(p, n, o);
    const mc = stratifiedReference(games, o.referencePerStratum, `${o.seed}/reference/${n}`);
    const exact = lastExact.methods.find((m) => m.method === 'shapley')!.values;
    lastExact.referenceCalibration = { ...describeRow('stratified reference', 'stratified-reference', mc, roles, exact), relativeStdErr: norm(mc.stdErr) / norm(mc.values) };
    log(`n = ${n}: stratified reference against exact: relative L2 error ${lastExact.referenceCalibration.error!.relativeL2.toFixed(4)} (${mc.seconds.toFixed(1)} s)`);
  }
  log(`ledger: signing and verifying ${o.ledgerEntries} entries`);
  const ledger = timeLedger(o.ledgerEntries);
  log(`ledger: ${ledger.entriesSignedPerSecond} entries/s signed, ${ledger.entriesVerifiedPerSecond} entries/s verified`);
  return {
    benchmark: 'payouts',
    date: new Date().toISOString(),
    machine,
    options: o,
    setup: {
      data: o.data,
      label: o.label,
      rows: p.rowsOfTable,
      features: p.features,
      trainRows: p.train.length,
      validationRows: p.validation.n,
      split: 'training rows split IID into n - 1 shards (seeded); participant n - 1 holds a copy of participant 0\'s shard',
      standardisation: 'pooled mean and std of the training rows',
      metric: o.metric,
      utility: `${o.metric === 'auc' ? 'AUC' : 'negated log loss'} (evaluateBinary, as coordinator validationUtility) on the held-out validation rows of the model FedAvg would produce from round t's start with only the coalition's updates (federatedRoundGames); values are summed over rounds`,
      strategy: `FedAvg (server learning rate 1), local trainLogistic ${JSON.stringify(o.local)}, weight = example count, ${o.rounds} rounds, all participants every round`,
      noisy: 'participant 1 (index 1): its shard\'s labels shuffled',
      duplicate: 'participant n - 1: an exact copy of participant 0\'s rows (its own SGD shuffling seed)',
    },
    sizes,
    ledger,
    totalSeconds: fixed(secondsSince(started), 1),
    pass: ledger.ok && sizes.every((s) => s.methods.length === o.estimators.length + 1),
  };
}

export function runPayoutsBench(log: (line: string) => void): Promise<PayoutsBenchReport> {
  return runPayoutsBenchWith(PAYOUTS_DEFAULTS, log);
}

const sci = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));

export function renderPayoutsBench(r: PayoutsBenchReport): string {
  const rows: (string | number)[][] = [];
  for (const s of r.sizes) {
    for (const m of s.methods) {
      rows.push([
        s.players, m.label, m.seconds, m.evaluations, m.permutations ?? '-', m.roundsSkipped ?? '-',
        m.error ? sci(m.error.relativeL2) : '(reference)', m.error ? sci(m.error.maxAbsOverL1) : '-', m.error ? m.error.spearman.toFixed(3) : '-',
        m.method === 'stratified-reference' || m.method === 'shapley' ? '-' : s.reference, `${m.noisyRank}${m.noisyLast ? ' (last)' : ''}`, m.duplicateRatio.toFixed(3),
      ]);
    }
  }
  const skipped = r.sizes.filter((s) => s.exactSkipped).map((s) => `n = ${s.players}: ${s.exactSkipped}; reference: stratified Monte Carlo, ${r.options.referencePerStratum} coalitions per size stratum (relative std. error ${s.referenceRelativeStdErr?.toFixed(4)})`);
  const cal = r.sizes.find((s) => s.referenceCalibration)?.referenceCalibration;
  const calN = r.sizes.find((s) => s.referenceCalibration)?.players;
  return [
    `Contribution valuation on breast_cancer (${r.setup.trainRows} training rows, ${r.setup.validationRows} validation), FedAvg ${r.options.rounds} rounds, utility ${r.setup.metric === 'auc' ? 'validation AUC' : 'negated validation log loss'}; participant 1 noisy labels, participant n-1 duplicates participant 0`,
    benchTable(['n', 'method', 'seconds', 'utilities', 'permutations', 'rounds skipped', 'rel. L2 err', 'max err/L1', 'spearman', 'against', 'noisy rank', 'dup/source'], rows),
    ...skipped,
    ...(cal ? [`Stratified reference at n = ${calN} against exact: relative L2 error ${sci(cal.error!.relativeL2)}, its own relative std. error ${sci(cal.relativeStdErr)} (${cal.seconds.toFixed(1)} s)`] : []),
    '',
    `Ledger: ${r.ledger.entries} entries signed in ${r.ledger.signSeconds} s (${r.ledger.entriesSignedPerSecond} entries/s), verified in ${r.ledger.verifySeconds} s (${r.ledger.entriesVerifiedPerSecond} entries/s), ${(r.ledger.bytes / 2 ** 20).toFixed(1)} MiB of JSON Lines`,
    `total ${r.totalSeconds} s`,
  ].join('\n');
}
