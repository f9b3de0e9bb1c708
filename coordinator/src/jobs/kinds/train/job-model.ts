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

/**
 * At submission, a tfjs model must rebuild from its topology (tfjs's own classes only; its output fitting the task)
 * and, where the spec lists its features, take as many inputs as they encode to: exactly when every text feature's
 * domain is declared or under DP (where only declared text columns are features); at least one input per feature
 * otherwise. The schema step checks the width again once the features are agreed.
 */
export async function checkTfjsAtSubmission(spec: JobSpec): Promise<void> {
  if (spec.model.type !== 'tfjs') return;
  let model: Model;
  try {
    const { tfjsModelFromTopology } = await import('@tessera/tfjs');
    ({ model } = await tfjsModelFromTopology(spec.model.topology as never, {
      task: spec.model.task,
      ...(spec.model.classes ? { classes: spec.model.classes.length } : {}),
    }));
  } catch (e) {
    throw new Error(`job spec: model.topology: ${(e as Error).message}`);
  }
  if (!spec.features) return;
  const width = spec.features.reduce((n, f) => n + (spec.domains?.[f]?.length ?? 1), 0);
  const exact = spec.privacy.mode !== 'none' || spec.features.every((f) => spec.domains?.[f] !== undefined);
  if (exact ? model.features !== width : model.features < width)
    throw new Error(
      `job spec: model.topology: the tfjs model takes ${model.features} inputs, but the listed features encode to ` +
        `${exact ? '' : 'at least '}${width} (a numeric feature is one input, a text one one per domain value); ` +
        'fit its input layer to them',
    );
}
