// `tessera demo --recommend`: a recommend job across synthetic merchants, against the three baselines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { algorithmFromSpec, compareRecommenders, type RankingMetrics, type TimedMetrics } from '@tessera/recommend';
import { createAnalystKeys, LocalFederation, runRecommend, type AnalystKeys } from '@tessera/sdk';
import { parseRecommendSpec } from '@tessera/jobs';
import { UsageError } from '../../ui/errors.js';
import { merchantTable, recommendDemoData } from './recommend-demo-data.js';

export interface RecommendDemoOptions {
  participants: number;
  /** Rounds (default: the algorithm's, 10 for ALS, 100 for BPR). */
  rounds?: number;
  seed: number;
  algorithm: 'als' | 'bpr';
  k: number;
  secure: 'masked' | 'sealed';
  dp: 'none' | 'distributed';
  epsilon: number;
  delta: number;
  clip?: number;
  runtime: 'worker' | 'inline';
  status?: (line: string) => void;
}

type Metrics = Pick<RankingMetrics, 'hr10' | 'ndcg10' | 'coverage' | 'customers'>;

export interface RecommendDemoResult {
  recommend: Metrics & {
    jobId: string;
    algorithm: 'als' | 'bpr';
    k: number;
    rounds: number;
    participants: number;
    items: number;
    customers: number;
    secure: { mode: 'masked' | 'sealed' };
    privacy: {
      mode: 'none' | 'distributed';
      epsilon?: number;
      delta?: number;
      clip?: number;
      noiseMultiplier?: number;
      /** Under DP: an item counts as covered when its noisy count of top-10 lists clears this. */
      coverageThreshold?: number;
    };
    /** MF on the pooled interactions: the ceiling. */
    centralized: Metrics & { seconds: number };
    /** Each merchant's MF on its own interactions, evaluated on its own customers. */
    localOnly: (Metrics & { participant: string; seconds: number })[];
    localOnlyMean: Metrics;
    popularity: Metrics;
    timing: { totalSeconds: number; jobSeconds: number };
  };
}

const metricsOf = (m: RankingMetrics): Metrics => ({
  hr10: m.hr10,
  ndcg10: m.ndcg10,
  coverage: m.coverage,
  customers: m.customers,
});
const timedOf = (m: TimedMetrics) => ({ ...metricsOf(m), seconds: m.seconds });

/**
 * Runs the demo: the seeded synthetic merchants (planted tastes, Dirichlet split of customers, overlapping
 * catalogues) serve their purchases; a recommend job trains item factors through secure aggregation and measures
 * HR@10 and NDCG@10 leave-last-out at every merchant; the baselines are computed here, on the same held-out items.
 */
export async function runRecommendDemo(o: RecommendDemoOptions): Promise<RecommendDemoResult> {
  const started = performance.now();
  if (!Number.isInteger(o.participants) || o.participants < 2)
    throw new UsageError(`--participants must be an integer of at least 2, got ${o.participants}`);
  if (o.secure === 'sealed' && o.dp !== 'none')
    throw new UsageError('--secure sealed does not combine with --dp; use --secure masked with --dp distributed');
  const data = recommendDemoData(o.participants, o.seed);
  const items = data.catalogue.ids;
  const seed = `tessera-recommend-demo/${o.seed}`;
  const spec = {
    kind: 'recommend' as const,
    name: 'joint-recommendation',
    dataset: 'orders',
    columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
    catalogue: { items: [...items] },
    model: { algorithm: o.algorithm, k: o.k },
    ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
    seed,
    evaluation: { holdOut: 'last' as const },
    secure: { mode: o.secure },
    privacy:
      o.dp === 'none'
        ? { mode: 'none' as const }
        : {
            mode: 'distributed' as const,
            epsilon: o.epsilon,
            delta: o.delta,
            ...(o.clip !== undefined ? { clip: o.clip } : {}),
          },
    minParticipants: o.participants,
    waitForParticipantsSeconds: 120,
  };
  const parsed = parseRecommendSpec(spec);
  const keys: AnalystKeys | undefined = o.secure === 'sealed' ? await createAnalystKeys() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-recommend-demo-'));
  o.status?.(`starting a coordinator and ${o.participants} merchants (${items.length} items)`);
  const fed = await LocalFederation.start({
    dir,
    shards: data.rows.map((_, m) => merchantTable(data, m)),
    dataset: 'orders',
    runtime: o.runtime,
    ...(keys ? { analystKeys: keys } : {}),
  });
  let run;
  try {
    const jobStarted = performance.now();
    run = await runRecommend(fed.analyst, spec, {
      ...(keys ? { sealed: keys } : {}),
      onEvent: (_job, message) => o.status?.(message),
    });
    run = { ...run, seconds: (performance.now() - jobStarted) / 1000 };
  } finally {
    await fed.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  o.status?.('training the baselines here (centralized, each merchant alone, popularity)');
  const rounds = run.result.rounds;
  // The baselines train exactly the job's model (its parsed spec's defaults included).
  const algorithm = algorithmFromSpec(parsed.model);
  const baselines = compareRecommenders(algorithm, data.tables, { rounds, seed });
  const r = run.result;
  if (r.hr10 === undefined || r.ndcg10 === undefined || r.coverage === undefined || r.customers === undefined)
    throw new Error(`job ${run.job.id} completed without its leave-last-out metrics`);
  return {
    recommend: {
      hr10: r.hr10,
      ndcg10: r.ndcg10,
      coverage: r.coverage,
      customers: r.customers,
      jobId: run.job.id,
      algorithm: o.algorithm,
      k: o.k,
      rounds,
      participants: o.participants,
      items: items.length,
      secure: { mode: o.secure },
      privacy:
        o.dp === 'none'
          ? { mode: 'none' }
          : {
              mode: 'distributed',
              epsilon: o.epsilon,
              delta: o.delta,
              clip: parsed.privacy.clip,
              ...(r.coverageThreshold !== undefined ? { coverageThreshold: r.coverageThreshold } : {}),
              ...(r.privacy?.noiseMultiplier !== undefined ? { noiseMultiplier: r.privacy.noiseMultiplier } : {}),
            },
      centralized: timedOf(baselines.centralized),
      localOnly: baselines.localOnly.map((m, i) => ({ participant: `merchant-${i + 1}`, ...timedOf(m) })),
      localOnlyMean: metricsOf(baselines.localOnlyMean),
      popularity: metricsOf(baselines.popularity),
      timing: { totalSeconds: (performance.now() - started) / 1000, jobSeconds: run.seconds },
    },
  };
}
