// Model files written from a job's result, saved and loaded (the format: model-file-format.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import type { ModelTask } from '@tessera/ml';
import type { JobResult } from './analyst.js';
import { checkModelFile } from './model-file-checks.js';
import type { ModelFile, ModelFileKind, ModelFileModel, ModelFileV2 } from './model-file-format.js';

export {
  MODEL_FILE_VERSIONS,
  modelOfFile,
  type ModelFile,
  type ModelFileKind,
  type ModelFileModel,
  type ModelFileV1,
  type ModelFileV2,
} from './model-file-format.js';

/** The model of a job's result as a version 2 model file, for every kind. */
export function modelFileFrom(r: JobResult): ModelFileV2 {
  const last = [...r.job.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed');
  const wire = r.model;
  const kind = wire.type as ModelFileKind;
  // The wire's ModelConfig does not carry l2; the job's spec does.
  const specModel = (r.job.spec as { model?: { l2?: unknown } }).model;
  const model: ModelFileModel = { kind, l2: typeof specModel?.l2 === 'number' ? specModel.l2 : 1e-4 };
  if (wire.hidden) model.hidden = [...wire.hidden];
  if (wire.activation) model.activation = wire.activation as 'relu';
  if (wire.dropout !== undefined) model.dropout = wire.dropout;
  if (wire.classes) model.classes = [...wire.classes];
  if (wire.labelRange) model.labelRange = [wire.labelRange[0], wire.labelRange[1]];
  if (wire.topology !== undefined) model.topology = wire.topology;
  return {
    format: 'tessera-model',
    version: 2,
    kind,
    task: wire.task as ModelTask,
    model,
    label: r.label,
    features: r.features,
    featureNames: r.featureNames,
    standardization: { mean: r.mean, std: r.std, ...(r.standardisedClip > 0 ? { clip: r.standardisedClip } : {}) },
    weights: [...r.weights],
    job: { id: r.job.id, name: r.job.name, round: r.round, metrics: last?.metrics ?? {} },
  };
}

export function saveModelFile(path: string, m: ModelFile): void {
  writeFileSync(path, `${JSON.stringify(m, null, 2)}\n`);
}

/**
 * Reads a model file of version 1 or 2; refuses another version, and a file whose weights do not fit the model it
 * describes, naming the field.
 */
export function loadModelFile(path: string): ModelFile {
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new Error(
      `${path}: not a readable JSON model file (${(e as Error).message}); ` +
        'export one with tessera job result <id> --out model.json',
    );
  }
  return checkModelFile(m, path);
}
