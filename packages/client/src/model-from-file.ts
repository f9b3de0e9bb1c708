// The ml Model a model file describes, built from its model section and feature count.
import { modelFromSpec, type Model, type ModelSpec } from '@tessera/ml';
import { modelOfFile, type ModelFile } from './model-file-format.js';

/** Why a tfjs model file is not scored here, and how to score it. */
export const TFJS_SCORING_REFUSAL =
  'is a tfjs model: @tessera/client stays light and does not load TensorFlow.js, so it cannot score it; ' +
  "score it in code with @tessera/tfjs's tfjsModel (tfjsModelFromTopology(file.model.topology, ...).predict)";

/**
 * The Model of a built-in kind (logistic, linear, softmax, mlp) for the file's features, task and classes. Throws for
 * kind tfjs (see TFJS_SCORING_REFUSAL) and, naming the field, for a model section that does not describe a model.
 */
export function modelFromFile(m: ModelFile, source = 'the model file'): Model {
  const { kind, task, model } = modelOfFile(m);
  if (kind === 'tfjs') throw new Error(`${source} ${TFJS_SCORING_REFUSAL}`);
  const spec: ModelSpec = { kind, l2: model.l2 };
  if (kind === 'mlp') {
    if (model.hidden) spec.hidden = model.hidden;
    if (model.activation) spec.activation = model.activation;
    if (model.dropout !== undefined) spec.dropout = model.dropout;
  }
  try {
    return modelFromSpec(spec, {
      features: m.featureNames.length,
      task,
      ...(task === 'multiclass' ? { classes: model.classes?.length ?? 0 } : {}),
    });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}; the file is damaged, export it again`);
  }
}
