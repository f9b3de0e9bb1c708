import { encodeTable, parseCsv, type AgreedSchema } from '@tessera/data';
import type { Strategy } from '@tessera/fl';
import { evaluateBinary, standardise } from '@tessera/ml';
import { federatedRoundGames, valueRounds, type RoundUpdates, type ValuationReport } from '@tessera/payouts';
import { EXACT_SHAPLEY_MAX_PARTICIPANTS, resolveValuation, type PayoutSpec } from '@tessera/jobs';
import type { DisclosedRound } from '../rounds/valuation-collector.js';

export interface TrainingValuationInput {
  payout: PayoutSpec;
  schema: AgreedSchema;
  standardisation: { mean: number[]; std: number[]; clip?: number };
  rounds: number;
  /** The global model round `t` started from (round 1: the initial model). */
  startModel: (round: number) => Float64Array;
  strategy: Strategy;
  /** The weight a participant's update had in the round's sum, from its example count. */
  weightOf: (numExamples: number) => number;
  participants: readonly string[];
  disclosed: ReadonlyMap<string, ReadonlyMap<number, DisclosedRound>>;
  seed: string;
}

/**
 * The coalition utility: the payout's metric of a model on the job's validation rows (log loss negated, so higher is
 * better).
 */
export function validationUtility(
  payout: PayoutSpec,
  schema: AgreedSchema,
  standardisation: TrainingValuationInput['standardisation'],
): (model: Float64Array) => number {
  if (!payout.validation) throw new Error(`payout.validation is needed to value by ${payout.valuation}`);
  const validation = payout.validation;
  const table = parseCsv(validation.csv, validation.source);
  const encoded = encodeTable(table, schema);
  const z = standardise(encoded, {
    mean: Float64Array.from(standardisation.mean),
    std: Float64Array.from(standardisation.std),
    ...(standardisation.clip ? { clip: standardisation.clip } : {}),
  });
  const data = { ...z, y: encoded.y };
  return (model) => {
    const m = evaluateBinary(model, data);
    const v = payout.metric === 'auc' ? m.auc : payout.metric === 'accuracy' ? m.accuracy : -m.loss;
    if (!Number.isFinite(v))
      throw new Error(
        `the validation rows of ${validation.source} give no ${payout.metric} ` + '(does the label take both values?)',
      );
    return v;
  };
}

/** Values each participant's contribution to a finished training job from the per-round updates they disclosed. */
export function valueTraining(input: TrainingValuationInput): ValuationReport {
  const { payout, participants } = input;
  if (payout.valuation === 'equal') throw new Error('payout.valuation equal values no updates');
  const method = resolveValuation(payout.valuation, participants.length);
  if (method === 'shapley' && participants.length > EXACT_SHAPLEY_MAX_PARTICIPANTS) {
    throw new Error(
      `payout.valuation shapley evaluates 2^${participants.length} coalitions per round; ` +
        `with more than ${EXACT_SHAPLEY_MAX_PARTICIPANTS} participants use gtg or tmc`,
    );
  }
  // records counts rows and measures no coalition (a payout valued by records may carry no validation rows).
  const utility = method === 'records' ? () => 0 : validationUtility(payout, input.schema, input.standardisation);
  const rounds: RoundUpdates[] = [];
  for (let t = 1; t <= input.rounds; t++) {
    const updates = participants.map((p) => input.disclosed.get(p)?.get(t)?.delta);
    const weights = participants.map((p) => {
      const r = input.disclosed.get(p)?.get(t);
      return r ? input.weightOf(r.numExamples) : 0;
    });
    rounds.push({ start: input.startModel(t), updates, weights });
  }
  const games = federatedRoundGames(
    rounds,
    (t, start, weightedSum, totalWeight) =>
      input.strategy.aggregateFit(t + 1, start, { weightedSum, totalWeight, contributors: 1 }),
    utility,
  );
  const records = participants.map((p) =>
    Math.max(0, ...[...(input.disclosed.get(p)?.values() ?? [])].map((r) => r.numExamples)),
  );
  return valueRounds(method, games, {
    seed: payout.seed ?? input.seed,
    records,
    ...(payout.maxPermutations !== undefined ? { maxPermutations: payout.maxPermutations } : {}),
  });
}
