// A training job's model and strategy, built from its spec: the same on the coordinator, the analyst's side (sealed
// mode) and in tests.
import { createStrategy, type Strategy } from '@tessera/fl';
import { modelFromSpec, type Model, type ModelSpec } from '@tessera/ml';
import type { JobSpec } from './job-spec-types.js';

/** The job's strategy with its options; `seed` makes participant sampling reproducible. */
export function strategyOfSpec(spec: JobSpec, seed?: string): Strategy {
  return createStrategy({
    ...spec.strategy,
    minFitParticipants: spec.minParticipants,
    ...(seed !== undefined ? { seed } : {}),
  });
}

/** The built-in model (every kind but tfjs) a spec trains over `features` encoded inputs. */
export function builtInModelOfSpec(spec: Pick<JobSpec, 'model'>, features: number): Model {
  const m = spec.model;
  if (m.type === 'tfjs') throw new Error('a tfjs model is built from its topology with @tessera/tfjs');
  const model: ModelSpec = {
    kind: m.type,
    l2: m.l2,
    ...(m.hidden ? { hidden: m.hidden } : {}),
    ...(m.activation ? { activation: m.activation } : {}),
    ...(m.dropout ? { dropout: m.dropout } : {}),
  };
  return modelFromSpec(model, { features, task: m.task, ...(m.classes ? { classes: m.classes.length } : {}) });
}
