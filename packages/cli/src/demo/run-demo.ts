import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parseSplit, selectRows, splitRows, toCsv, trainTestSplit, type RawTable } from '@tessera/data';
import { seededRandom, type LocalOptimiser } from '@tessera/ml';
import { createAnalystKeys, LocalFederation, JOB_SPEC_DEFAULTS, type AnalystKeys, type JobView } from '@tessera/sdk';
import { followSealed, watchWithProgress } from '../job-watch.js';
import { UsageError } from '../ui/errors.js';
import { trainAlone } from './baselines.js';
import { loadDemoData, scrambleLabels } from './demo-data.js';
import { demoModelSpec } from './demo-model.js';
import { openDemoConsole, type DemoConsole, type DemoConsoleOptions } from './demo-console.js';
import { collectPayouts, type DemoPayoutOptions, type DemoPayouts } from './demo-payouts.js';
import type { DemoPrivacyMode, DemoResult, DemoSecureMode } from './demo-result.js';
import { checkDemoStrategy, type StrategyOption } from './demo-strategy.js';
import { DEMO_MODEL_KINDS, type DemoModelKind } from './demo-task.js';
import { federatedQuality } from './federated-quality.js';
import { meanQuality, type Quality } from './quality.js';

export type { DemoPayoutOptions, DemoPayouts } from './demo-payouts.js';
export type { DemoPrivacyMode, DemoResult, DemoSecureMode } from './demo-result.js';
export type { Quality } from './quality.js';

export interface DemoOptions {
  participants: number;
  rounds: number;
  data?: string;
  label?: string;
  split?: string;
  seed: number;
  /** Share of rows held out as the global test split that no participant sees. */
  testFraction: number;
  /**
   * Local learning rate (default: 1 with --dp at unit record, where it is the gradient step size; else 0.1, or 0.05
   * for a regression, whose final SGD iterate is noisy at 0.1).
   */
  learningRate?: number;
  batchSize: number;
  localEpochs: number;
  runtime: 'worker' | 'inline';
  progress: boolean;
  keep?: string;
  log?: (line: string) => void;
  /**
   * Progress lines as the demo goes (participants connected, the job's rounds and stages, the baselines), for stderr:
   * at scale a run takes minutes, which must not pass in silence. Without a bar, the job's events come here too.
   */
  status?: (line: string) => void;
  /**
   * Aggregation: SecAgg+ masking (default), sealed (SecAgg+ under the analyst's BFV key: the demo makes
   * analyst keys in memory and decrypts each aggregate itself) or plaintext.
   */
  secure?: DemoSecureMode;
  /** Share of participants that drop out at a random step of every training round. */
  drop?: number;
  /** Differential privacy of the model updates. */
  dp?: DemoPrivacyMode;
  /** What the privacy protects: one customer row (record, the default) or one merchant's whole data (participant). */
  unit?: 'record' | 'participant';
  epsilon?: number;
  delta?: number;
  /**
   * L2 clipping bound: of each record's gradient (unit record, default 1) or of each participant's update (default 10,
   * or 1 with DP).
   */
  clip?: number;
  /** Serve the web console on the demo's coordinator (tessera demo --console). */
  console?: DemoConsoleOptions;
  /** Data-trust payout: split this pool (integer minor units) by the value of each participant's contribution. */
  payout?: DemoPayoutOptions;
  /** 1-based participant whose labels are scrambled (its data is pure noise). */
  noisyParticipant?: number;
  /** Adds one more participant holding a copy of this (1-based) participant's shard: duplicated data. */
  duplicateParticipant?: number;
  /** classification or regression (default: inferred from the label's values). */
  task?: 'classification' | 'regression';
  /** The model kind (default from the task: binary logistic, multiclass softmax, regression linear). */
  model?: DemoModelKind;
  /** mlp: hidden layer widths (default [64]). */
  hidden?: number[];
  /** The aggregation strategy (default fedavg) and its options (only those it takes). */
  strategy?: string;
  strategyOptions?: Partial<Record<StrategyOption, number>>;
  /** Local optimiser (default sgd). */
  optimiser?: LocalOptimiser;
}

export const DEMO_SECURE_MODES: readonly DemoSecureMode[] = ['masked', 'sealed', 'none'];
export const DEMO_PRIVACY_MODES: readonly DemoPrivacyMode[] = ['none', 'central', 'distributed', 'local'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  // The two middle values (one and the same for an odd count), undefined when there are none.
  const lower = s[Math.ceil(s.length / 2) - 1];
  const upper = s[Math.floor(s.length / 2)];
  if (lower === undefined || upper === undefined) return Number.NaN;
  return lower === upper ? lower : (lower + upper) / 2;
};

/**
 * A progress callback that says "<done>/<total> <what>" at most every 2 s, and always the last count (a federation of
 * 200 participants would otherwise give 200 lines).
 */
function everyFewSeconds(say: (line: string) => void, what: string): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (done < total && now - last < 2_000) return;
    last = now;
    say(`${done}/${total} ${what}`);
  };
}

/** Runs a whole federation on this machine and compares it with the centralized and local-only baselines. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  if (!Number.isInteger(o.participants) || o.participants < 2)
    throw new UsageError(`--participants must be an integer of at least 2, got ${o.participants}`);
  if (!Number.isInteger(o.rounds) || o.rounds < 1)
    throw new UsageError(`--rounds must be a positive integer, got ${o.rounds}`);
  const drop = o.drop ?? 0;
  if (!(drop >= 0 && drop < 1)) throw new UsageError(`--drop must be a fraction from 0 to below 1, got ${o.drop}`);
  const mode = o.secure ?? 'masked';
  const dp = o.dp ?? 'none';
  if (!DEMO_PRIVACY_MODES.includes(dp))
    throw new UsageError(`--dp must be one of ${DEMO_PRIVACY_MODES.join(', ')}, got ${String(o.dp)}`);
  const unit = o.unit ?? 'record';
  if (unit !== 'record' && unit !== 'participant')
    throw new UsageError(`--unit must be record or participant, got ${String(o.unit)}`);
  const recordLevel = dp !== 'none' && unit === 'record';
  const clip = o.clip ?? (dp === 'none' ? 10 : 1);
  const secureClip = recordLevel ? 10 : clip;
  if (!DEMO_SECURE_MODES.includes(mode))
    throw new UsageError(`--secure must be one of ${DEMO_SECURE_MODES.join(', ')}, got ${String(o.secure)}`);
  if (mode === 'sealed' && dp !== 'none')
    throw new UsageError('--secure sealed does not combine with --dp yet; use --secure masked with --dp');
  if (o.model !== undefined && !DEMO_MODEL_KINDS.includes(o.model))
    throw new UsageError(`--model must be one of ${DEMO_MODEL_KINDS.join(', ')}, got ${String(o.model)}`);
  if (o.hidden !== undefined && o.model !== 'mlp')
    throw new UsageError(`--hidden sets the hidden layers of an mlp: add --model mlp, or leave out --hidden`);
  const optimiser = o.optimiser ?? 'sgd';
  if (optimiser !== 'sgd' && optimiser !== 'adam')
    throw new UsageError(`--optimiser must be sgd or adam, got ${String(o.optimiser)}`);
  const strategy = checkDemoStrategy(o.strategy ?? 'fedavg', o.strategyOptions ?? {});
  const data = loadDemoData({ ...o });
  const { target } = data;
  const learningRate = o.learningRate ?? (recordLevel ? 1 : target.task === 'regression' ? 0.05 : 0.1);
  if (!(learningRate > 0)) throw new UsageError(`--learning-rate must be positive, got ${learningRate}`);
  const spec = demoModelSpec(target, { l2: JOB_SPEC_DEFAULTS.model.l2, ...(o.hidden ? { hidden: o.hidden } : {}) });
  const splitText = o.split ?? data.defaultSplit;
  let split;
  try {
    split = parseSplit(splitText);
  } catch (e) {
    throw new UsageError(`--split: ${(e as Error).message}`);
  }
  const rng = seededRandom(`tessera-demo/${o.seed}`);
  const { train, test } = trainTestSplit(data.table.rows.length, o.testFraction, rng, data.labels);
  const assignment = splitRows(data.table, train, data.labels, o.participants, split, rng);
  const shards: RawTable[] = assignment.map((rows) => selectRows(data.table, rows));
  // A participant number given by a flag: its shard's index, and the shard (splitRows made one per participant).
  const which = (flag: string, k: number | undefined) => {
    if (k === undefined) return undefined;
    const shard = shards[k - 1];
    if (!Number.isInteger(k) || k < 1 || k > o.participants || !shard)
      throw new UsageError(`${flag} must be a participant number from 1 to ${o.participants}, got ${k}`);
    return { index: k - 1, shard };
  };
  const noisy = which('--noisy-participant', o.noisyParticipant);
  if (noisy !== undefined)
    shards[noisy.index] = scrambleLabels(noisy.shard, data.label, seededRandom(`tessera-demo/${o.seed}/noise`));
  const duplicate = which('--duplicate-participant', o.duplicateParticipant);
  if (duplicate !== undefined) shards.push({ ...duplicate.shard, rows: duplicate.shard.rows.map((r) => [...r]) });
  const testTable = selectRows(data.table, test);
  const dataset = o.data ? basename(o.data, extname(o.data)).replace(/[^A-Za-z0-9_-]/g, '_') : 'customers';

  // Sealed mode: the analyst's BFV key pair, in memory only (the demo is the analyst).
  const keys: AnalystKeys | undefined = mode === 'sealed' ? await createAnalystKeys() : undefined;
  const dir = o.keep ?? mkdtempSync(join(tmpdir(), 'tessera-demo-'));
  o.status?.(`starting a coordinator and ${shards.length} participants`);
  const fed = await LocalFederation.start({
    dir,
    shards,
    dataset,
    runtime: o.runtime,
    ...(o.status ? { onParticipantReady: everyFewSeconds(o.status, 'participants connected') } : {}),
    ...(o.log ? { log: o.log } : {}),
    ...(drop > 0 ? { dropouts: { fraction: drop, seed: `tessera-demo/${o.seed}` } } : {}),
    // --secure none: the merchants opt in to plaintext aggregation (their data sets' secure: none).
    ...(mode === 'none' ? { secure: 'none' as const } : {}),
    // A payout: the merchants opt in to valuation (a consent grant), which discloses their per-round updates.
    ...(o.payout ? { valuation: true } : {}),
    // The demo's analyst is the holder of the sealed keys: their identity signs the job and the BFV key alike.
    ...(keys ? { analystKeys: keys } : {}),
  });
  let web: DemoConsole | undefined;
  let job: JobView;
  let payouts: DemoPayouts | undefined;
  let federated: Quality;
  let schema;
  const jobStarted = performance.now();
  try {
    if (o.console) web = await openDemoConsole(fed, o.console.listen, o.status ?? (() => undefined));
    const submitted = await fed.analyst.submit(
      {
        name: 'demo',
        dataset,
        label: data.label,
        exclude: data.exclude,
        rounds: o.rounds,
        seed: String(o.seed),
        minParticipants: Math.max(1, Math.ceil(shards.length / 2)),
        model: {
          kind: target.model,
          task: target.task,
          l2: spec.l2,
          ...(spec.hidden ? { hidden: spec.hidden } : {}),
          ...(target.classes ? { classes: target.classes } : {}),
          ...(target.labelRange ? { labelRange: target.labelRange } : {}),
        },
        strategy: { name: strategy.name, ...strategy.options },
        local: { epochs: o.localEpochs, batchSize: o.batchSize, learningRate, optimiser },
        waitForParticipantsSeconds: 60,
        roundTimeoutSeconds: 30,
        secure: { mode, dropoutRate: Math.max(0.1, drop), clip: secureClip },
        ...(dp !== 'none'
          ? { privacy: { mode: dp, unit, epsilon: o.epsilon ?? 4, delta: o.delta ?? 1e-5, clip } }
          : {}),
        ...(o.payout
          ? {
              payout: {
                pool: o.payout.pool,
                currency: o.payout.currency,
                valuation: o.payout.valuation ?? 'auto',
                metric: 'logLoss',
                validation: { csv: toCsv(testTable), source: "the demo's held-out test split" },
              },
            }
          : {}),
      },
      keys ? { sealed: keys } : {},
    );
    // Without a bar (stderr not a terminal), the job's events are printed as lines: rounds, stages and their counts.
    const watch = { quiet: o.status === undefined, bar: o.progress };
    job = keys
      ? await followSealed(fed.analyst, submitted.id, keys, watch)
      : await watchWithProgress(fed.analyst, submitted.id, watch);
    if (job.status !== 'completed') throw new Error(`the federated job ${job.status}: ${job.error}`);
    if (o.payout) payouts = await collectPayouts(fed, job, o.payout);
    const fedResult = federatedQuality(await fed.analyst.result(job.id), testTable, spec, target, data.labelTarget);
    federated = fedResult.quality;
    schema = fedResult.schema;
    await o.console?.hold?.();
  } finally {
    await web?.close();
    await fed.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
  const jobSeconds = (performance.now() - jobStarted) / 1000;

  // The baselines train without noise by mini-batch SGD: record-level DP's step size (one full-batch noisy step per
  // round, default 1) would make them diverge, so they keep the non-DP default unless the user set one.
  const baselineRate =
    recordLevel && o.learningRate === undefined ? (target.task === 'regression' ? 0.05 : 0.1) : learningRate;
  const cfg = {
    learningRate: baselineRate,
    batchSize: o.batchSize,
    epochs: o.localEpochs,
    rounds: o.rounds,
    optimiser,
  };
  o.status?.(`training the baselines: centralised, and each of the ${shards.length} participants alone`);
  const pooled = selectRows(data.table, train);
  const centralized = trainAlone(pooled, testTable, schema, spec, target, cfg, `centralized/${o.seed}`);
  // The federation ran one participant per shard, in shard order.
  const nameOf = (shard: number): string => {
    const name = fed.participants[shard]?.name;
    if (name === undefined) throw new Error(`the federation has no participant for shard ${shard}`);
    return name;
  };
  const localOnly = shards.map((s, i) => ({
    participant: nameOf(i),
    rows: s.rows.length,
    ...trainAlone(s, testTable, schema, spec, target, cfg, `local/${o.seed}/${i}`),
  }));
  const fits = job.history.filter((h) => h.stage === 'fit' && h.status === 'completed');
  return {
    participants: shards.length,
    rounds: o.rounds,
    data: data.description,
    split: splitText,
    seed: o.seed,
    jobId: job.id,
    model: {
      kind: target.model,
      task: target.task,
      ...(spec.hidden ? { hidden: spec.hidden } : {}),
      ...(target.classes ? { classes: target.classes } : {}),
      ...(target.labelRange ? { labelRange: target.labelRange } : {}),
      optimiser,
    },
    strategy: { name: strategy.name, options: { ...strategy.options } },
    federated,
    centralized,
    localOnly,
    localOnlyMean: meanQuality(localOnly),
    history: fits.map((h) => ({
      round: h.round,
      trainLoss: h.metrics.train_loss,
      loss: h.metrics.loss,
      auc: h.metrics.auc,
      accuracy: h.metrics.accuracy,
      macroF1: h.metrics.macroF1 ?? h.metrics.macro_f1,
      rmse: h.metrics.rmse,
      r2: h.metrics.r2,
      contributors: h.contributors,
      dropped: h.dropped.length,
      absent: Math.max(0, shards.length - h.contributors - h.dropped.length),
      seconds: h.seconds,
    })),
    secure: {
      mode,
      threshold: mode !== 'none' ? (fits.at(-1)?.metrics.threshold ?? null) : null,
      degree: mode !== 'none' ? (fits.at(-1)?.metrics.degree ?? null) : null,
      dropped: fits.reduce((n, h) => n + h.dropped.length, 0),
    },
    privacy: {
      mode: dp,
      unit,
      epsilon: dp === 'none' ? Number.POSITIVE_INFINITY : (fits.at(-1)?.metrics.epsilon ?? 0),
      delta: dp === 'none' ? null : (o.delta ?? 1e-5),
      noiseMultiplier: dp === 'none' ? null : (fits.at(-1)?.metrics.noise_multiplier ?? null),
      clip,
    },
    timing: {
      totalSeconds: (performance.now() - started) / 1000,
      jobSeconds,
      roundSecondsMedian: median(fits.map((h) => h.seconds)),
    },
    ...(payouts ? { payouts } : {}),
    ...(noisy !== undefined || duplicate !== undefined
      ? {
          altered: {
            ...(noisy !== undefined ? { noisy: nameOf(noisy.index) } : {}),
            ...(duplicate !== undefined
              ? { duplicate: { participant: nameOf(shards.length - 1), copyOf: nameOf(duplicate.index) } }
              : {}),
          },
        }
      : {}),
  };
}
