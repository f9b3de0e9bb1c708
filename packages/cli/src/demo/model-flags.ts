// The demo's model and strategy flags (--task, --model, --hidden, --optimiser, --strategy and its options), checked.
import type { LocalOptimiser } from '@tessera/ml';
import { UsageError } from '../ui/errors.js';
import { checkDemoStrategy, STRATEGY_FLAGS, type StrategyOption } from './demo-strategy.js';
import { DEMO_MODEL_KINDS, type DemoModelKind } from './demo-task.js';

/** The flags as commander gives them (all text; absent when not given). */
export interface ModelFlags {
  task?: string;
  model?: string;
  hidden?: string;
  optimiser?: string;
  strategy?: string;
  serverLr?: string;
  serverMomentum?: string;
  proximalMu?: string;
  beta1?: string;
  beta2?: string;
  tau?: string;
}

/** What runDemo takes of them. */
export interface ModelOptions {
  task?: 'classification' | 'regression';
  model?: DemoModelKind;
  hidden?: number[];
  optimiser?: LocalOptimiser;
  strategy?: string;
  strategyOptions?: Partial<Record<StrategyOption, number>>;
}

const FLAG_KEYS: Record<StrategyOption, keyof ModelFlags> = {
  serverLearningRate: 'serverLr',
  serverMomentum: 'serverMomentum',
  proximalMu: 'proximalMu',
  beta1: 'beta1',
  beta2: 'beta2',
  tau: 'tau',
};

/** The hidden layer widths of --hidden 64,32: 1 to 3 integers from 1 to 4096. */
export function parseHidden(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const widths = parts.map(Number);
  if (parts.length < 1 || parts.length > 3 || parts.some((p, i) => !/^\d+$/.test(p) || !(widths[i]! <= 4096)))
    throw new UsageError(`--hidden takes 1 to 3 layer widths from 1 to 4096, e.g. --hidden 64,32; got "${text}"`);
  if (widths.some((w) => w < 1)) throw new UsageError(`--hidden: a layer needs at least 1 unit, got "${text}"`);
  return widths;
}

/**
 * The checked model and strategy options. A strategy option the strategy does not take is refused naming its flag
 * (e.g. --server-momentum with fedadam), as is --hidden without --model mlp.
 */
export function modelOptionsOf(f: ModelFlags): ModelOptions {
  const out: ModelOptions = {};
  if (f.task !== undefined) {
    if (f.task !== 'classification' && f.task !== 'regression')
      throw new UsageError(`--task must be classification or regression, got "${f.task}"`);
    out.task = f.task;
  }
  if (f.model !== undefined) {
    if (!DEMO_MODEL_KINDS.includes(f.model as DemoModelKind))
      throw new UsageError(`--model must be one of ${DEMO_MODEL_KINDS.join(', ')}, got "${f.model}"`);
    out.model = f.model as DemoModelKind;
  }
  if (f.hidden !== undefined) {
    if (out.model !== 'mlp')
      throw new UsageError('--hidden sets the hidden layers of an mlp: add --model mlp, or leave out --hidden');
    out.hidden = parseHidden(f.hidden);
  }
  if (f.optimiser !== undefined) {
    if (f.optimiser !== 'sgd' && f.optimiser !== 'adam')
      throw new UsageError(`--optimiser must be sgd or adam, got "${f.optimiser}"`);
    out.optimiser = f.optimiser;
  }
  const given: Partial<Record<StrategyOption, number>> = {};
  for (const [option, key] of Object.entries(FLAG_KEYS) as [StrategyOption, keyof ModelFlags][]) {
    const text = f[key];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value))
      throw new UsageError(`${STRATEGY_FLAGS[option]} must be a number, got "${text}"`);
    given[option] = value;
  }
  const strategy = checkDemoStrategy(f.strategy ?? 'fedavg', given);
  out.strategy = strategy.name;
  if (Object.keys(given).length > 0) out.strategyOptions = given;
  return out;
}
