// Checks a parsed model file field by field before anything scores with it.
import type { ModelTask } from '@tessera/ml';
import { MODEL_FILE_VERSIONS, type ModelFile, type ModelFileKind } from './model-file-format.js';
import { modelFromFile } from './model-from-file.js';

const KINDS: readonly ModelFileKind[] = ['logistic', 'linear', 'softmax', 'mlp', 'tfjs'];
const TASKS: readonly ModelTask[] = ['binary', 'multiclass', 'regression'];

const isNumbers = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The parsed JSON `m` as a model file, or an error that names the file, the field and the fix. */
export function checkModelFile(m: unknown, path: string): ModelFile {
  const damaged = (field: string, what: string) =>
    new Error(`${path}: ${field} ${what}; the file is damaged, export it again with tessera job result <id> --out F`);
  if (typeof m !== 'object' || m === null || (m as { format?: unknown }).format !== 'tessera-model') {
    const format = typeof m === 'object' && m !== null ? (m as { format?: unknown }).format : undefined;
    throw new Error(`${path}: not a Tessera model file (format ${JSON.stringify(format)}, expected "tessera-model")`);
  }
  const f = m as Record<string, unknown>;
  if (!MODEL_FILE_VERSIONS.includes(f.version as number))
    throw new Error(
      `${path}: model file version ${JSON.stringify(f.version)} is not one this build reads ` +
        `(versions ${MODEL_FILE_VERSIONS.join(' and ')}); update Tessera, or export the model again with this version`,
    );
  if (typeof f.label !== 'string') throw damaged('label', 'is missing');
  if (!Array.isArray(f.features)) throw damaged('features', 'is missing');
  if (!isStrings(f.featureNames)) throw damaged('featureNames', 'is not a list of names');
  const d = f.featureNames.length;
  const s = f.standardization as { mean?: unknown; std?: unknown } | undefined;
  if (!isNumbers(s?.mean) || s.mean.length !== d || !isNumbers(s.std) || s.std.length !== d)
    throw damaged('standardization', `must hold mean and std of ${d} numbers each (one per featureNames entry)`);
  if (!isNumbers(f.weights)) throw damaged('weights', 'is not a list of numbers');
  if (f.version === 2) checkModelSection(f, damaged);
  const file = m as ModelFile;
  const kind = file.version === 1 ? 'logistic' : file.kind;
  // tfjs: the size comes from the topology, which only @tessera/tfjs reads; the client cannot check it.
  if (kind !== 'tfjs') {
    const size = modelFromFile(file, path).size;
    if (file.weights.length !== size)
      throw damaged(
        'weights',
        `has ${file.weights.length} values, but the ${kind} model it describes (${d} features` +
          `${file.version === 2 && file.model.classes ? `, ${file.model.classes.length} classes` : ''}) has ${size}`,
      );
  }
  return file;
}

function checkModelSection(f: Record<string, unknown>, damaged: (field: string, what: string) => Error): void {
  if (!KINDS.includes(f.kind as ModelFileKind)) throw damaged('kind', `is ${JSON.stringify(f.kind)}`);
  if (!TASKS.includes(f.task as ModelTask)) throw damaged('task', `is ${JSON.stringify(f.task)}`);
  const model = f.model as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null) throw damaged('model', 'is missing');
  if (model.kind !== f.kind) throw damaged('model.kind', `is ${JSON.stringify(model.kind)}, kind ${String(f.kind)}`);
  if (typeof model.l2 !== 'number') throw damaged('model.l2', 'is missing');
  if (f.task === 'multiclass' && !(isStrings(model.classes) && model.classes.length >= 2))
    throw damaged('model.classes', 'must list the classes of a multiclass model');
  if (f.task === 'regression') {
    const r = model.labelRange;
    if (!(isNumbers(r) && r.length === 2 && r[0]! < r[1]!))
      throw damaged('model.labelRange', 'must be [low, high] with low < high for a regression model');
  }
  if (f.kind === 'tfjs' && (typeof model.topology !== 'object' || model.topology === null))
    throw damaged('model.topology', 'is missing for a tfjs model');
}
