import type { RecommendAlgorithm } from './algorithm.js';
import { type RankingMetrics, type RankingTally, rankHeldOut, rankingMetrics } from './evaluate.js';
import { modelScorer } from './factors.js';
import { type TrainOptions, trainRecommender } from './federated-round.js';
import { type Interactions, poolInteractions } from './interactions.js';
import { type LeaveLastOut, leaveLastOut } from './leave-last-out.js';
import { itemPopularity, popularityScorer } from './popularity.js';

export interface TimedMetrics extends RankingMetrics {
  /** Training time in seconds (in process, one core). */
  seconds: number;
}

/** The federated model against the baselines, all evaluated leave-last-out on the same held-out items. */
export interface RecommendComparison {
  federated: TimedMetrics;
  /** MF on the pooled interactions: the ceiling. */
  centralized: TimedMetrics;
  /** Each merchant's MF trained on its own interactions, evaluated on its own customers. */
  localOnly: TimedMetrics[];
  /** The plain mean over merchants of the local-only metrics. */
  localOnlyMean: RankingMetrics;
  /** Global popularity (customers per item over all merchants). */
  popularity: RankingMetrics;
}

export function compareRecommenders(
  algorithm: RecommendAlgorithm,
  tables: readonly Interactions[],
  options: TrainOptions,
): RecommendComparison {
  const splits = tables.map(leaveLastOut);
  const trains = splits.map((s) => s.train);
  const federated = trainRecommender(algorithm, trains, options);
  const federatedTallies = splits.map((s, m) => rankHeldOut(modelScorer(federated.items, federated.customers[m]!), s));
  const pooled: LeaveLastOut = {
    train: poolInteractions(trains),
    heldOut: Int32Array.from(splits.flatMap((s) => [...s.heldOut])),
  };
  const central = trainRecommender(algorithm, [pooled.train], options);
  const centralTally = rankHeldOut(modelScorer(central.items, central.customers[0]!), pooled);
  const localOnly = splits.map((s) => {
    const local = trainRecommender(algorithm, [s.train], options);
    return timed([rankHeldOut(modelScorer(local.items, local.customers[0]!), s)], local.seconds);
  });
  const popular = popularityScorer(itemPopularity(trains));
  return {
    federated: timed(federatedTallies, federated.seconds),
    centralized: timed([centralTally], central.seconds),
    localOnly,
    localOnlyMean: meanMetrics(localOnly),
    popularity: rankingMetrics(splits.map((s) => rankHeldOut(popular, s))),
  };
}

function timed(tallies: RankingTally[], seconds: number): TimedMetrics {
  return { ...rankingMetrics(tallies), seconds };
}

function meanMetrics(list: readonly RankingMetrics[]): RankingMetrics {
  const mean = (f: (m: RankingMetrics) => number) => list.reduce((s, m) => s + f(m), 0) / Math.max(1, list.length);
  return {
    hr10: mean((m) => m.hr10),
    ndcg10: mean((m) => m.ndcg10),
    coverage: mean((m) => m.coverage),
    customers: list.reduce((s, m) => s + m.customers, 0),
  };
}
