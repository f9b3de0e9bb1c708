// The training sections of a job spec besides the model: local settings with their schedule, the strategy and its
// options, and early stopping.
import { createStrategy, StrategyOptionError, strategyOptionsOf, knownStrategies } from '@tessera/fl';
import { isObj, JobSpecError, noUnknownKeys, num, section, show, str, type Obj } from './job-spec-fields.js';

/** How the local learning rate moves over the rounds (round t of T, from 1). */
export interface LearningRateSchedule {
  /** constant; exponential: lr·decay^(t-1); cosine: from lr down to minLearningRate at the last round. */
  type: 'constant' | 'exponential' | 'cosine';
  decay?: number;
  minLearningRate?: number;
}

export interface LocalSection {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** sgd (the default) or adam, its moments fresh each round. */
  optimiser: 'sgd' | 'adam';
  schedule?: LearningRateSchedule;
}

/** The strategy and its own options (which of them apply depends on the strategy; each checks its own). */
export interface StrategySection {
  name: string;
  fractionFit: number;
  serverLearningRate: number;
  /** fedavgm */
  serverMomentum?: number;
  /** fedprox */
  proximalMu?: number;
  /** fedadam, fedyogi, fedadagrad */
  beta1?: number;
  beta2?: number;
  tau?: number;
}

export interface EarlyStopping {
  /** Stop after this many rounds without the federated validation loss improving by minDelta. */
  patience: number;
  minDelta: number;
}

/** Options the spec sets elsewhere (local, minParticipants, seed), so not under strategy. */
const SET_ELSEWHERE = new Set(['localEpochs', 'batchSize', 'learningRate', 'seed', 'minFitParticipants']);

export function strategySectionOf(input: Obj, defaults: { name: string; fractionFit: number }): StrategySection {
  const raw = input.strategy;
  if (raw !== undefined && !isObj(raw))
    throw new JobSpecError(
      'strategy',
      `must be an object such as {name: fedadam, serverLearningRate: 0.1}, got ${show(raw)}`,
    );
  const s: Obj = raw ?? {};
  const name = str(s, 'name', 'strategy.', defaults.name).toLowerCase();
  if (!knownStrategies().includes(name))
    throw new JobSpecError('strategy.name', `unknown strategy ${show(name)}; known: ${knownStrategies().join(', ')}`);
  const allowed = ['name', ...strategyOptionsOf(name).filter((o) => !SET_ELSEWHERE.has(o))];
  noUnknownKeys(s, allowed, 'strategy');
  const options: Record<string, number> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'name' || k === 'fractionFit') continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new JobSpecError(`strategy.${k}`, `must be a number, got ${show(v)}`);
    options[k] = v;
  }
  const fractionFit = num(s, 'fractionFit', 'strategy.', defaults.fractionFit, { exclusiveMin: 0, max: 1 });
  try {
    createStrategy({ name, fractionFit, ...options });
  } catch (e) {
    if (e instanceof StrategyOptionError) throw new JobSpecError(`strategy.${e.option}`, e.message);
    throw new JobSpecError('strategy', (e as Error).message);
  }
  const { serverLearningRate, ...rest } = options;
  return { name, fractionFit, serverLearningRate: serverLearningRate ?? defaultServerLr(name), ...rest };
}

/** The strategies' own defaults (FedAdam and FedYogi 0.1, the others 1). */
function defaultServerLr(name: string): number {
  return (
    (createStrategy({ name, ...(name === 'fedprox' ? { proximalMu: 1 } : {}) }) as { serverLearningRate?: number })
      .serverLearningRate ?? 1
  );
}

export function localSectionOf(input: Obj, defaults: { epochs: number; batchSize: number; learningRate: number }) {
  const local = section(input, 'local', ['epochs', 'batchSize', 'learningRate', 'optimiser', 'schedule']);
  const optimiser = str(local, 'optimiser', 'local.', 'sgd');
  if (optimiser !== 'sgd' && optimiser !== 'adam')
    throw new JobSpecError('local.optimiser', `must be sgd or adam, got ${show(optimiser)}`);
  const learningRate = num(local, 'learningRate', 'local.', defaults.learningRate, { exclusiveMin: 0 });
  const out = { optimiser, learningRate } as Pick<LocalSection, 'optimiser' | 'learningRate' | 'schedule'>;
  const raw = local.schedule;
  if (raw !== undefined) {
    if (!isObj(raw))
      throw new JobSpecError('local.schedule', `must be {type: constant|exponential|cosine, ...}, got ${show(raw)}`);
    noUnknownKeys(raw, ['type', 'decay', 'minLearningRate'], 'local.schedule');
    const type = str(raw, 'type', 'local.schedule.');
    if (type === 'exponential') {
      out.schedule = { type, decay: num(raw, 'decay', 'local.schedule.', 0.95, { exclusiveMin: 0, max: 1 }) };
    } else if (type === 'cosine') {
      const min = num(raw, 'minLearningRate', 'local.schedule.', 0, { min: 0 });
      if (min >= learningRate)
        throw new JobSpecError('local.schedule.minLearningRate', `must be below local.learningRate ${learningRate}`);
      out.schedule = { type, minLearningRate: min };
    } else if (type === 'constant') {
      out.schedule = { type };
    } else {
      throw new JobSpecError('local.schedule.type', `must be constant, exponential or cosine, got ${show(type)}`);
    }
  }
  return { local, ...out };
}

/** The local learning rate of round `round` (from 1) of `rounds` under the schedule. */
export function scheduledLearningRate(
  local: Pick<LocalSection, 'learningRate' | 'schedule'>,
  round: number,
  rounds: number,
) {
  const s = local.schedule;
  const t = Math.max(1, round);
  if (!s || s.type === 'constant') return local.learningRate;
  if (s.type === 'exponential') return local.learningRate * (s.decay ?? 0.95) ** (t - 1);
  const min = s.minLearningRate ?? 0;
  const progress = rounds > 1 ? (t - 1) / (rounds - 1) : 0;
  return min + ((local.learningRate - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}

export function earlyStoppingOf(input: Obj): EarlyStopping | undefined {
  if (input.earlyStopping === undefined) return undefined;
  const e = section(input, 'earlyStopping', ['patience', 'minDelta']);
  return {
    patience: num(e, 'patience', 'earlyStopping.', 3, { int: true, min: 1 }),
    minDelta: num(e, 'minDelta', 'earlyStopping.', 0, { min: 0 }),
  };
}
