// The payouts benchmark's federations: breast_cancer split into n participants (one with scrambled
// labels, one a duplicate), trained by FedAvg as participants and the coordinator do, and the
// per-round games the coordinator values.
import {
  agreeSchema,
  encodeTable,
  parseSplit,
  profileTable,
  readCsvFile,
  splitRows,
  trainTestSplit,
} from '@tessera/data';
import { deltaOf, FedAvg } from '@tessera/fl';
import {
  auc,
  evaluateBinary,
  logisticInit,
  logLoss,
  momentsOf,
  predictProba,
  seededRandom,
  standardisationFrom,
  standardise,
  takeRows,
  trainLogistic,
  type LabeledData,
  type LogisticConfig,
} from '@tessera/ml';
import { federatedRoundGames, type Game, type RoundUpdates } from '@tessera/payouts';
import { secondsSince } from '../stats.js';
import type { ParticipantRole, PayoutsBenchOptions, PayoutsMetric } from './report.js';

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
  const s = standardisationFrom(momentsOf(takeRows(enc, train)));
  const all: LabeledData = { ...standardise(enc, s), y: enc.y };
  return { all, train, validation: takeRows(all, test), rowsOfTable: enc.n, features: enc.d, table };
}

/**
 * The federation of n: n - 1 IID shards of the training rows; participant 1's labels shuffled; participant n - 1 a copy
 * of participant 0.
 */
function federation(p: Prepared, n: number, seed: string): { data: LabeledData[]; roles: ParticipantRole[] } {
  const rng = seededRandom(`${seed}/split/${n}`);
  const shards = splitRows(p.table, p.train, p.all.y, n - 1, parseSplit('iid'), rng);
  const data = shards.map((rows) => takeRows(p.all, rows));
  const [source, noisy] = data;
  if (!source || !noisy)
    throw new RangeError(`a federation of ${n} is too small for a noisy and a duplicate participant`);
  const labels = Array.from(noisy.y);
  rng.shuffle(labels);
  data[1] = { ...noisy, y: Float64Array.from(labels) };
  data.push({ ...source, x: source.x.slice(), y: source.y.slice() });
  const roles: ParticipantRole[] = data.map((_, i) =>
    i === 0 ? 'duplicate-source' : i === 1 ? 'noisy' : i === n - 1 ? 'duplicate' : 'honest',
  );
  return { data, roles };
}

/** FedAvg over all participants for `rounds` rounds, keeping each round's start model, deltas and weights. */
function train(
  data: LabeledData[],
  rounds: number,
  cfg: LogisticConfig,
  seed: string,
  validation: LabeledData,
): { rounds: RoundUpdates[]; strategy: FedAvg; aucByRound: number[]; logLossByRound: number[] } {
  const strategy = new FedAvg({ learningRate: cfg.learningRate, batchSize: cfg.batchSize, localEpochs: cfg.epochs });
  const first = data[0];
  if (!first) throw new RangeError('FedAvg needs at least one participant');
  let global = logisticInit(first.d);
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
      for (let k = 0; k < delta.length; k++) weightedSum[k]! += w * delta[k]!; // a delta has the model's length
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
export function buildFederation(
  p: Prepared,
  n: number,
  o: PayoutsBenchOptions,
): {
  games: Game[];
  roles: ParticipantRole[];
  examples: number[];
  aucByRound: number[];
  logLossByRound: number[];
  trainSeconds: number;
} {
  const t0 = performance.now();
  const fed = federation(p, n, o.seed);
  const trained = train(fed.data, o.rounds, o.local, `${o.seed}/n${n}`, p.validation);
  const trainSeconds = secondsSince(t0);
  const { strategy } = trained;
  const games = federatedRoundGames(
    trained.rounds,
    (t, start, sum, total) =>
      strategy.aggregateFit(t, start, { weightedSum: sum, totalWeight: total, contributors: 1 }),
    utilityOf(o.metric, p.validation),
  );
  return {
    games,
    roles: fed.roles,
    examples: fed.data.map((d) => d.n),
    aucByRound: trained.aucByRound,
    logLossByRound: trained.logLossByRound,
    trainSeconds,
  };
}
