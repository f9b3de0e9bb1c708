// The utility of differential privacy on a small real federation: held-out AUC of the federated
// model on breast_cancer (5 participants, iid) without DP and with record-level DP at several
// epsilons, through the same `runDemo` that `tessera demo` runs.
import { runDemo, type DemoPrivacyMode } from '@tessera/cli/demo';

export interface UtilitySetting {
  /** Short label for the table. */
  label: string;
  dp: DemoPrivacyMode;
  unit: 'record' | 'participant';
  /** Target epsilon (null without DP). */
  epsilon: number | null;
  learningRate: number;
}

export interface UtilityRow extends UtilitySetting {
  /** Held-out AUC of the federated model, one per seed. */
  aucs: number[];
  mean: number;
  min: number;
  max: number;
  /** Mean AUC minus the mean of the non-private run at the same learning rate (null for non-private rows). */
  gapToNonPrivate: number | null;
  /** The most negative per-seed gap: this row's AUC minus the non-private AUC of the same seed (same data split). */
  worstSeedGap: number | null;
  /** Epsilon the accountant reports as spent (statistics releases and training rounds), and the noise multiplier. */
  epsilonSpent: number | null;
  noiseMultiplier: number | null;
  seconds: number;
}

export interface UtilityCurve {
  data: string;
  label: string;
  participants: number;
  split: string;
  rounds: number;
  delta: number;
  seeds: number[];
  /** Everything the runs share that is not in the rows. */
  common: { testFraction: number; batchSize: number; localEpochs: number; runtime: 'inline' };
  rows: UtilityRow[];
  seconds: number;
}

export const UTILITY_DEFAULTS = {
  data: 'examples/data/breast_cancer.csv',
  label: 'benign',
  participants: 5,
  split: 'iid',
  rounds: 10,
  delta: 1e-5,
  // The DP noise and the participants' record randomness come from node:crypto, so runs are not
  // reproducible; ten seeds (ten data splits) keep the spread of the mean small.
  seeds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  testFraction: 0.2,
  batchSize: 32,
  localEpochs: 1,
};

const DP_LR = 1;

export const UTILITY_SETTINGS: UtilitySetting[] = [
  { label: 'no DP, lr 0.1 (demo default)', dp: 'none', unit: 'record', epsilon: null, learningRate: 0.1 },
  { label: 'no DP, lr 1', dp: 'none', unit: 'record', epsilon: null, learningRate: DP_LR },
  ...[1, 2, 4, 8].map(
    (e): UtilitySetting => ({
      label: `distributed, record, eps ${e}`,
      dp: 'distributed',
      unit: 'record',
      epsilon: e,
      learningRate: DP_LR,
    }),
  ),
  { label: 'central, record, eps 8', dp: 'central', unit: 'record', epsilon: 8, learningRate: DP_LR },
  { label: 'local, record, eps 8', dp: 'local', unit: 'record', epsilon: 8, learningRate: DP_LR },
  { label: 'distributed, participant, eps 8', dp: 'distributed', unit: 'participant', epsilon: 8, learningRate: DP_LR },
];

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

export async function runUtilityCurve(
  log: (line: string) => void,
  settings: UtilitySetting[] = UTILITY_SETTINGS,
): Promise<UtilityCurve> {
  const d = UTILITY_DEFAULTS;
  const started = performance.now();
  const rows: UtilityRow[] = [];
  for (const s of settings) {
    const t = performance.now();
    const aucs: number[] = [];
    let epsilonSpent: number | null = null;
    let noiseMultiplier: number | null = null;
    for (const seed of d.seeds) {
      const r = await runDemo({
        participants: d.participants,
        rounds: d.rounds,
        seed,
        testFraction: d.testFraction,
        learningRate: s.learningRate,
        batchSize: d.batchSize,
        localEpochs: d.localEpochs,
        runtime: 'inline',
        progress: false,
        data: d.data,
        label: d.label,
        split: d.split,
        dp: s.dp,
        unit: s.unit,
        ...(s.epsilon !== null ? { epsilon: s.epsilon, delta: d.delta } : {}),
        log: () => {},
      });
      aucs.push(r.federated.auc);
      if (s.dp !== 'none') {
        epsilonSpent = r.privacy.epsilon;
        noiseMultiplier = r.privacy.noiseMultiplier;
      }
    }
    const row: UtilityRow = {
      ...s,
      aucs,
      mean: mean(aucs),
      min: Math.min(...aucs),
      max: Math.max(...aucs),
      gapToNonPrivate: null,
      worstSeedGap: null,
      epsilonSpent,
      noiseMultiplier,
      seconds: (performance.now() - t) / 1000,
    };
    rows.push(row);
    log(`${s.label}: mean AUC ${row.mean.toFixed(4)} over seeds ${d.seeds.join(', ')} (${row.seconds.toFixed(1)} s)`);
  }
  for (const row of rows) {
    if (row.dp === 'none') continue;
    const base = rows.find((b) => b.dp === 'none' && b.learningRate === row.learningRate);
    row.gapToNonPrivate = base ? row.mean - base.mean : null;
    // Both rows ran the same seeds, in the same order: one AUC each.
    row.worstSeedGap = base ? Math.min(...row.aucs.map((a, i) => a - base.aucs[i]!)) : null;
  }
  return {
    data: d.data,
    label: d.label,
    participants: d.participants,
    split: d.split,
    rounds: d.rounds,
    delta: d.delta,
    seeds: d.seeds,
    common: { testFraction: d.testFraction, batchSize: d.batchSize, localEpochs: d.localEpochs, runtime: 'inline' },
    rows,
    seconds: (performance.now() - started) / 1000,
  };
}
