// The model a training job trains, built once the schema fixes its input width: a built-in kind from the spec, or a
// tfjs model rebuilt from its topology (asynchronously; only tfjs's own layer classes, so no job code runs).
import { builtInModelOfSpec, type JobSpec } from '@tessera/jobs';
import type { Model } from '@tessera/ml';

export async function modelOfJob(spec: JobSpec, features: number): Promise<Model> {
  if (spec.model.type !== 'tfjs') return builtInModelOfSpec(spec, features);
  const { tfjsModelFromTopology } = await import('@tessera/tfjs');
  const { model } = await tfjsModelFromTopology(spec.model.topology as never, {
    task: spec.model.task,
    ...(spec.model.classes ? { classes: spec.model.classes.length } : {}),
  });
  if (model.features !== features)
    throw new Error(
      `job spec: model.topology: the tfjs model takes ${model.features} inputs, but the agreed features encode to ` +
        `${features}; fit its input layer to them`,
    );
  return model;
}
