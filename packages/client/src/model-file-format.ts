// The model file's format: a trained model as self-describing JSON (version 2 for every kind; version 1 still read).
import type { AgreedSchema } from '@tessera/data';
import type { ModelTask } from '@tessera/ml';

/** The model kinds a model file can hold (a job spec's model.kind). */
export type ModelFileKind = 'logistic' | 'linear' | 'softmax' | 'mlp' | 'tfjs';

/** What rebuilds the model from a file: the job spec's model section, as far as it shapes the model. */
export interface ModelFileModel {
  kind: ModelFileKind;
  /** Coefficient of (l2/2)·||weights||² in training (no effect on scoring). */
  l2: number;
  /** mlp: the hidden layer widths. */
  hidden?: number[];
  activation?: 'relu';
  /** mlp: the dropout rate used in training (no effect on scoring). */
  dropout?: number;
  /** multiclass: the label's values in class order (the model's outputs). */
  classes?: string[];
  /** regression: the label's range [low, high]; the model predicts (y - (low+high)/2) / ((high-low)/2). */
  labelRange?: [number, number];
  /** tfjs: the LayersModel topology (model.toJSON()). */
  topology?: unknown;
}

/** The fields every version shares. */
interface ModelFileCommon {
  format: 'tessera-model';
  label: string;
  features: AgreedSchema['features'];
  featureNames: string[];
  // `standardization` is a key of the published model file format (version 1, also `tessera job result --json`):
  // it keeps its US spelling so that files already written, and scripts that read them, keep working.
  standardization: { mean: number[]; std: number[]; clip?: number };
  /** The model's flat parameter vector (version 1: per encoded feature, then the bias last). */
  weights: number[];
  job: { id: string; name: string; round: number; metrics: Record<string, number> };
}

/** Version 1: binary logistic regression only (written before there were other kinds). */
export interface ModelFileV1 extends ModelFileCommon {
  version: 1;
  type: 'logistic';
}

/** Version 2: any model kind and task. */
export interface ModelFileV2 extends ModelFileCommon {
  version: 2;
  kind: ModelFileKind;
  task: ModelTask;
  model: ModelFileModel;
}

/** A model file as read: version 2, or version 1 (binary logistic regression). */
export type ModelFile = ModelFileV2 | ModelFileV1;

/** The versions this build reads. */
export const MODEL_FILE_VERSIONS: readonly number[] = [1, 2];

/** The kind, task and model section of a file of any version (version 1: logistic, binary, default l2). */
export function modelOfFile(m: ModelFile): { kind: ModelFileKind; task: ModelTask; model: ModelFileModel } {
  if (m.version === 1) return { kind: 'logistic', task: 'binary', model: { kind: 'logistic', l2: 1e-4 } };
  return { kind: m.kind, task: m.task, model: m.model };
}
