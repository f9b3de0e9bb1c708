// Turns `tessera demo --vertical` flags into the vertical demo's options, refusing flags that do not apply.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../../ui/errors.js';
import type { VerticalModelSettings } from './vertical-baselines.js';
import { VERTICAL_DEMO_MODELS, type VerticalDemoModel, type VerticalDemoOptions } from './run-vertical-demo.js';

/** The bundled data set the vertical demo uses without --data, and its label. */
export const VERTICAL_DEMO_DATA = fileURLToPath(new URL('../../../data/breast_cancer.csv', import.meta.url));
export const VERTICAL_DEMO_LABEL = 'benign';

/** The demo's model settings when no flag changes them. */
export const VERTICAL_DEMO_DEFAULTS = {
  overlap: 0.8,
  'vertical-logistic': { epochs: 5, batchSize: 64, learningRate: 0.5, l2: 1e-4 },
  secureboost: { trees: 5, depth: 3, learningRate: 0.3, bins: 32, minChildWeight: 1, lambda: 1 },
} as const;

/** Flags of the vertical demo only (commander's attribute names and the flag), refused without --vertical. */
const VERTICAL_ONLY = [
  ['guestColumns', '--guest-columns'],
  ['overlap', '--overlap'],
  ['epochs', '--epochs'],
  ['trees', '--trees'],
  ['depth', '--depth'],
  ['bins', '--bins'],
] as const;

/** Flags of the horizontal demo that mean nothing to --vertical. */
const HORIZONTAL_ONLY = [
  ['participants', '--participants'],
  ['rounds', '--rounds'],
  ['split', '--split'],
  ['localEpochs', '--local-epochs'],
  ['task', '--task'],
  ['hidden', '--hidden'],
  ['optimiser', '--optimiser'],
  ['strategy', '--strategy'],
  ['serverLr', '--server-lr'],
  ['serverMomentum', '--server-momentum'],
  ['proximalMu', '--proximal-mu'],
  ['beta1', '--beta1'],
  ['beta2', '--beta2'],
  ['tau', '--tau'],
  ['secure', '--secure'],
  ['drop', '--drop'],
  ['dp', '--dp'],
  ['unit', '--unit'],
  ['epsilon', '--epsilon'],
  ['delta', '--delta'],
  ['clip', '--clip'],
  ['query', '--query'],
  ['bounds', '--bounds'],
  ['domain', '--domain'],
  ['minCount', '--min-count'],
  ['report', '--report'],
  ['payoutPool', '--payout-pool'],
  ['currency', '--currency'],
  ['valuation', '--valuation'],
  ['ledgerOut', '--ledger-out'],
  ['payoutReport', '--payout-report'],
  ['noisyParticipant', '--noisy-participant'],
  ['duplicateParticipant', '--duplicate-participant'],
] as const;

const given = (cmd: Command, name: string) => {
  const source = cmd.getOptionValueSource(name);
  return source !== undefined && source !== 'default';
};

/** Refuses the vertical demo's own flags in a horizontal demo (call when --vertical is absent). */
export function refuseVerticalFlags(cmd: Command): void {
  for (const [name, flag] of VERTICAL_ONLY)
    if (given(cmd, name)) throw new UsageError(`${flag} applies to the vertical demo only; add --vertical`);
}

export interface VerticalFlags {
  data?: string;
  label?: string;
  model?: string;
  guestColumns?: string;
  overlap?: number;
  seed: number;
  testFraction: number;
  epochs?: number;
  batchSize: number;
  learningRate?: number;
  trees?: number;
  depth?: number;
  bins?: number;
  inline?: boolean;
  keep?: string;
}

/** A positive integer flag, or a UsageError naming it. */
function positiveInt(flag: string, v: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < 1 || v > max)
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, got ${v}`);
  return v;
}

/** The vertical demo's options from the demo command's flags (`progress` and `runtime` filled by the caller). */
export function verticalOptionsOf(o: VerticalFlags, cmd: Command): Omit<VerticalDemoOptions, 'progress'> {
  for (const [name, flag] of HORIZONTAL_ONLY)
    if (given(cmd, name))
      throw new UsageError(`${flag} applies to the horizontal demo only; leave it out with --vertical`);
  const kind = (o.model ?? 'vertical-logistic') as VerticalDemoModel;
  if (!VERTICAL_DEMO_MODELS.includes(kind))
    throw new UsageError(
      `--model ${o.model} is a horizontal model; with --vertical, --model is ${VERTICAL_DEMO_MODELS.join(' or ')}`,
    );
  if (o.data && !o.label)
    throw new UsageError('--data needs --label COLUMN (the 0/1 target the guest holds, e.g. --label benign)');
  const lrFlags = ['epochs', 'batchSize'] as const;
  const boostFlags = ['trees', 'depth', 'bins'] as const;
  const wrong = kind === 'secureboost' ? lrFlags : boostFlags;
  for (const name of wrong)
    if (given(cmd, name))
      throw new UsageError(
        `--${name === 'batchSize' ? 'batch-size' : name} applies to --model ` +
          `${kind === 'secureboost' ? 'vertical-logistic' : 'secureboost'}, not ${kind}`,
      );
  if (o.learningRate !== undefined && !(Number.isFinite(o.learningRate) && o.learningRate > 0))
    throw new UsageError(`--learning-rate must be a positive number, got ${o.learningRate}`);
  let model: VerticalModelSettings;
  if (kind === 'secureboost') {
    const d = VERTICAL_DEMO_DEFAULTS.secureboost;
    model = {
      kind,
      ...d,
      trees: positiveInt('--trees', o.trees ?? d.trees, 10_000),
      depth: positiveInt('--depth', o.depth ?? d.depth, 8),
      bins: positiveInt('--bins', o.bins ?? d.bins, 32),
      learningRate: o.learningRate ?? d.learningRate,
    };
    if (model.bins < 2) throw new UsageError(`--bins must be a whole number from 2 to 32, got ${model.bins}`);
  } else {
    const d = VERTICAL_DEMO_DEFAULTS['vertical-logistic'];
    model = {
      kind,
      ...d,
      epochs: positiveInt('--epochs', o.epochs ?? d.epochs, 10_000),
      // --batch-size has the horizontal demo's default (32): the vertical demo's own applies unless it is given.
      batchSize: positiveInt('--batch-size', given(cmd, 'batchSize') ? o.batchSize : d.batchSize),
      learningRate: o.learningRate ?? d.learningRate,
    };
  }
  const guestColumns = o.guestColumns
    ?.split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const overlap = o.overlap ?? VERTICAL_DEMO_DEFAULTS.overlap;
  if (!(overlap > 0 && overlap <= 1))
    throw new UsageError(
      `--overlap must be in (0, 1] (the share of customers both nodes hold, e.g. 0.8), got ${overlap}`,
    );
  return {
    data: o.data ?? VERTICAL_DEMO_DATA,
    label: o.label ?? VERTICAL_DEMO_LABEL,
    ...(guestColumns ? { guestColumns } : {}),
    overlap,
    seed: String(o.seed),
    testFraction: o.testFraction,
    model,
    runtime: o.inline ? 'inline' : 'worker',
    ...(o.keep ? { keep: o.keep } : {}),
  };
}
