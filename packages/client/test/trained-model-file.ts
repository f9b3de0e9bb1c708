// Small models trained on the example data sets, and the version 2 model files modelFileFrom writes for them.
import { fileURLToPath } from 'node:url';
import { encodeTable, readCsvFile, type LabelTarget, type RawTable } from '@tessera/data';
import {
  modelFromSpec,
  momentsOf,
  seededRandom,
  standardisationFrom,
  standardise,
  trainCentralizedModel,
  type Matrix,
  type Model,
  type ModelSpec,
  type ModelTask,
} from '@tessera/ml';
import { tessera } from '@tessera/proto';
import { modelFileFrom, type JobResult, type ModelFileV2 } from '../src/index.js';
import { jobView } from '../src/job-view.js';

export const exampleCsv = (name: string) => fileURLToPath(new URL(`../../../examples/data/${name}`, import.meta.url));

export interface TrainedFile {
  file: ModelFileV2;
  model: Model;
  params: Float64Array;
  /** The table trained on (the first `rows` rows of the CSV), and its standardised features. */
  table: RawTable;
  z: Matrix;
}

export interface TrainOptions {
  csv: string;
  label: string;
  spec: ModelSpec;
  task: ModelTask;
  classes?: string[];
  labelRange?: [number, number];
  rows?: number;
  /** Epochs of training (0: the initial parameters). Default 3. */
  epochs?: number;
}

/** Trains the spec's model on a CSV's rows (all other columns numeric features) and writes its model file. */
export function trainedModelFile(o: TrainOptions): TrainedFile {
  const all = readCsvFile(exampleCsv(o.csv));
  const table = o.rows ? { ...all, rows: all.rows.slice(0, o.rows) } : all;
  const features = table.columns.filter((c) => c !== o.label).map((name) => ({ name, kind: 'numeric' as const }));
  const target: LabelTarget = o.task === 'multiclass' ? { task: 'multiclass', classes: o.classes! } : { task: o.task };
  const enc = encodeTable(table, { label: o.label, features, target });
  const s = standardisationFrom(momentsOf(enc));
  const z = standardise(enc, s);
  let y = enc.y;
  if (o.labelRange) {
    const [low, high] = o.labelRange;
    y = y.map((v) => Math.max(-1, Math.min(1, (v - (low + high) / 2) / ((high - low) / 2))));
  }
  const model = modelFromSpec(o.spec, {
    features: enc.d,
    task: o.task,
    ...(o.classes ? { classes: o.classes.length } : {}),
  });
  const rng = seededRandom(`model-file ${o.csv}`);
  const epochs = o.epochs ?? 3;
  const params =
    epochs === 0
      ? model.init(rng)
      : trainCentralizedModel(model, { ...z, y }, { learningRate: 0.05, batchSize: 32, epochs }, rng);
  const result: JobResult = {
    job: jobView({
      id: `job-${o.csv}`,
      name: o.csv,
      status: tessera.v1.JobStatus.COMPLETED,
      specJson: JSON.stringify({ label: o.label, model: { kind: o.spec.kind, l2: o.spec.l2 ?? 1e-4 } }),
      history: [{ round: 1, stage: 'fit', status: 'completed', metrics: [{ name: 'loss', value: 0.5 }] }],
    }),
    round: 1,
    label: o.label,
    modelType: o.spec.kind,
    featureNames: enc.featureNames,
    features,
    mean: [...s.mean],
    std: [...s.std],
    standardisedClip: 0,
    weights: params,
    model: {
      type: o.spec.kind,
      task: o.task,
      optimiser: 'sgd',
      ...(o.spec.hidden ? { hidden: o.spec.hidden, activation: 'relu' } : {}),
      ...(o.classes ? { classes: o.classes } : {}),
      ...(o.labelRange ? { labelRange: o.labelRange } : {}),
    },
  };
  return { file: modelFileFrom(result), model, params, table, z };
}

export const wineSoftmax = (): TrainedFile =>
  trainedModelFile({
    csv: 'wine.csv',
    label: 'cultivar',
    spec: { kind: 'softmax' },
    task: 'multiclass',
    classes: ['0', '1', '2'],
  });

export const diabetesLinear = (): TrainedFile =>
  trainedModelFile({
    csv: 'diabetes.csv',
    label: 'progression',
    spec: { kind: 'linear' },
    task: 'regression',
    labelRange: [25, 346],
  });

export const digitsMlp = (): TrainedFile =>
  trainedModelFile({
    csv: 'digits.csv',
    label: 'digit',
    spec: { kind: 'mlp', hidden: [8] },
    task: 'multiclass',
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    rows: 300,
    epochs: 2,
  });
