// Scoring the rows of a table with a model file: predictions for the file's task, and its metrics with the label.
import { DataError, encodeTable, readCsvFile, type LabelTarget, type RawTable } from '@tessera/data';
import { evaluateModel, standardise, type BinaryMetrics, type ModelTask } from '@tessera/ml';
import { modelOfFile, type ModelFile } from './model-file-format.js';
import { modelFromFile } from './model-from-file.js';

export interface MulticlassMetrics {
  /** Mean cross-entropy (the same as logLoss). */
  loss: number;
  logLoss: number;
  accuracy: number;
  macroF1: number;
  n: number;
}

/** In label units. */
export interface RegressionMetrics {
  /** MSE / 2. */
  loss: number;
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
  n: number;
}

/** The metrics of a task's scores, tagged with the task. */
export type TaskMetrics =
  | ({ task: 'binary' } & BinaryMetrics)
  | ({ task: 'multiclass' } & MulticlassMetrics)
  | ({ task: 'regression' } & RegressionMetrics);

export interface Scores {
  task: ModelTask;
  table: RawTable;
  /**
   * One prediction per row: P(label = 1) (binary), the predicted class, a value of `classes` (multiclass), the
   * predicted value in label units (regression).
   */
  predictions: Float64Array | string[];
  /**
   * Per row: P(label = 1) (binary, the field from before other tasks), the predicted class's probability
   * (multiclass); empty for regression.
   */
  probabilities: Float64Array;
  /** multiclass: the classes, and each row's probability of each, row-major n × classes. */
  classes?: string[];
  classProbabilities?: Float64Array;
  /** binary models, when the table has the label column (as before other tasks). */
  metrics?: BinaryMetrics;
  /** Every task, when the table has the label column; regression's in label units. */
  taskMetrics?: TaskMetrics;
}

/** The label encoding of the file's task, and a label cell that is valid for it (for a table without the label). */
function targetOf(m: ModelFile): { target: LabelTarget; placeholder: string } {
  const { task, model } = modelOfFile(m);
  if (task === 'multiclass') {
    const classes = model.classes!; // checkModelFile: a multiclass file lists its classes
    return { target: { task, classes }, placeholder: classes[0]! };
  }
  return { target: { task }, placeholder: '0' };
}

/** Scores every row of a table; the label column is optional. Refuses tfjs model files (see modelFromFile). */
export function scoreTable(file: ModelFile, table: RawTable): Scores {
  const model = modelFromFile(file);
  // Name only the feature columns the model needs and the table lacks (not the label, which is optional here).
  const present = new Set(table.columns);
  const missing = file.features.map((f) => f.name).filter((name) => !present.has(name));
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    throw new DataError(
      { source: table.source },
      `the model needs feature column${missing.length === 1 ? '' : 's'} ${list}, which ` +
        `${missing.length === 1 ? 'is' : 'are'} missing; add ${missing.length === 1 ? 'it' : 'them'} to the file`,
    );
  }
  const { target, placeholder } = targetOf(file);
  const hasLabel = table.columns.includes(file.label);
  const t: RawTable = hasLabel
    ? table
    : { ...table, columns: [...table.columns, file.label], rows: table.rows.map((r) => [...r, placeholder]) };
  const encoded = encodeTable(t, { label: file.label, features: file.features, target });
  const s = file.standardization;
  const z = standardise(encoded, {
    mean: Float64Array.from(s.mean),
    std: Float64Array.from(s.std),
    ...(s.clip ? { clip: s.clip } : {}),
  });
  const params = Float64Array.from(file.weights);
  const p = model.predict(params, z);
  const n = encoded.n;

  if (model.task === 'binary') {
    if (!hasLabel) return { task: 'binary', table, predictions: p, probabilities: p };
    const m = evaluateModel(model, params, { ...z, y: encoded.y });
    const metrics: BinaryMetrics = { loss: m.loss!, accuracy: m.accuracy!, auc: m.auc!, n: m.n! };
    return {
      task: 'binary',
      table,
      predictions: p,
      probabilities: p,
      metrics,
      taskMetrics: { task: 'binary', ...metrics },
    };
  }

  if (model.task === 'multiclass') {
    const classes = (target as { classes: string[] }).classes;
    const k = classes.length;
    const predictions: string[] = [];
    const probabilities = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[i * k + c]! > p[i * k + best]!) best = c; // first maximum, as metricSums
      predictions.push(classes[best]!);
      probabilities[i] = p[i * k + best]!;
    }
    const out: Scores = { task: 'multiclass', table, predictions, probabilities, classes, classProbabilities: p };
    if (!hasLabel) return out;
    const m = evaluateModel(model, params, { ...z, y: encoded.y });
    return {
      ...out,
      taskMetrics: {
        task: 'multiclass',
        loss: m.loss!,
        logLoss: m.logLoss!,
        accuracy: m.accuracy!,
        macroF1: m.macroF1!,
        n: m.n!,
      },
    };
  }

  // Regression: the model predicts the label scaled to [-1, 1] as (y - mid) / half (see ModelFileModel.labelRange).
  const [low, high] = modelOfFile(file).model.labelRange!; // checkModelFile: a regression file has labelRange
  const mid = (low + high) / 2;
  const half = (high - low) / 2;
  const predictions = p.map((v) => v * half + mid);
  const out: Scores = { task: 'regression', table, predictions, probabilities: new Float64Array(0) };
  if (!hasLabel) return out;
  // The labels are scaled as in training but not clamped, so the errors are those of the true labels. The metrics
  // come back to label units by the same affine map: every error is half × the scaled error, so rmse and mae scale by
  // half and mse by half²; r2 = 1 - SSE/SST is a ratio of two sums scaled by half² alike, so it is unchanged.
  const y = encoded.y.map((v) => (v - mid) / half);
  const m = evaluateModel(model, params, { ...z, y });
  const mse = m.mse! * half * half;
  return {
    ...out,
    taskMetrics: {
      task: 'regression',
      loss: mse / 2,
      mse,
      rmse: m.rmse! * half,
      mae: m.mae! * half,
      r2: m.r2!,
      n: m.n!,
    },
  };
}

export function scoreCsv(model: ModelFile, csvPath: string): Scores {
  return scoreTable(model, readCsvFile(csvPath));
}
