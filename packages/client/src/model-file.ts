import { readFileSync, writeFileSync } from 'node:fs';
import { DataError, encodeTable, readCsvFile, type AgreedSchema, type RawTable } from '@tessera/data';
import { evaluateBinary, predictProba, standardise, type BinaryMetrics } from '@tessera/ml';
import type { JobResult } from './analyst.js';

/** A trained model as a self-describing JSON file: everything needed to score new rows. */
export interface ModelFile {
  format: 'tessera-model';
  version: 1;
  type: 'logistic';
  label: string;
  features: AgreedSchema['features'];
  featureNames: string[];
  // `standardization` is a key of the published model file format (version 1, also `tessera job result --json`):
  // it keeps its US spelling so that files already written, and scripts that read them, keep working.
  standardization: { mean: number[]; std: number[]; clip?: number };
  /** Per encoded feature, then the bias last. */
  weights: number[];
  job: { id: string; name: string; round: number; metrics: Record<string, number> };
}

export function modelFileFrom(r: JobResult): ModelFile {
  const last = [...r.job.history].reverse().find((h) => h.stage === 'fit' && h.status === 'completed');
  return {
    format: 'tessera-model',
    version: 1,
    type: 'logistic',
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

export function loadModelFile(path: string): ModelFile {
  let m: Partial<ModelFile>;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Partial<ModelFile>;
  } catch (e) {
    throw new Error(
      `${path}: not a readable JSON model file (${(e as Error).message}); ` +
        'export one with tessera job result <id> --out model.json',
    );
  }
  if (m.format !== 'tessera-model' || m.version !== 1)
    throw new Error(`${path}: not a Tessera model file (format "${String(m.format)}", version ${String(m.version)})`);
  if (!Array.isArray(m.weights) || m.weights.length !== (m.featureNames?.length ?? -1) + 1) {
    throw new Error(
      `${path}: weights has ${m.weights?.length} values for ${m.featureNames?.length} features ` +
        '(+1 bias); the file is damaged',
    );
  }
  return m as ModelFile;
}

export interface Scores {
  probabilities: Float64Array;
  /** Present when the scored table has the label column. */
  metrics?: BinaryMetrics;
  table: RawTable;
}

/** Scores every row of a table; the label column is optional. */
export function scoreTable(model: ModelFile, table: RawTable): Scores {
  // Name only the feature columns the model needs and the table lacks (not the label, which is optional here).
  const present = new Set(table.columns);
  const missing = model.features.map((f) => f.name).filter((name) => !present.has(name));
  if (missing.length > 0) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    throw new DataError(
      { source: table.source },
      `the model needs feature column${missing.length === 1 ? '' : 's'} ${list}, which ` +
        `${missing.length === 1 ? 'is' : 'are'} missing; add ${missing.length === 1 ? 'it' : 'them'} to the file`,
    );
  }
  const hasLabel = table.columns.includes(model.label);
  const t: RawTable = hasLabel
    ? table
    : { ...table, columns: [...table.columns, model.label], rows: table.rows.map((r) => [...r, '0']) };
  const encoded = encodeTable(t, { label: model.label, features: model.features });
  const s = {
    mean: Float64Array.from(model.standardization.mean),
    std: Float64Array.from(model.standardization.std),
    ...(model.standardization.clip ? { clip: model.standardization.clip } : {}),
  };
  const z = standardise(encoded, s);
  const w = Float64Array.from(model.weights);
  const probabilities = predictProba(w, z);
  return { probabilities, table, ...(hasLabel ? { metrics: evaluateBinary(w, { ...z, y: encoded.y }) } : {}) };
}

export function scoreCsv(model: ModelFile, csvPath: string): Scores {
  return scoreTable(model, readCsvFile(csvPath));
}
