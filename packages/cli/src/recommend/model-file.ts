// The recommend model file: a recommend job's item model, with what a merchant needs to score its own customers.
import { readFileSync, writeFileSync } from 'node:fs';
import type { ItemFactors } from '@tessera/recommend';
import { UsageError } from '../ui/errors.js';

export const RECOMMEND_MODEL_FORMAT = 'tessera-recommend/1';

/** The data set's columns the model was trained on (a spec's `columns`). */
export interface RecommendModelColumns {
  customer: string;
  item: string;
  count?: string;
  rating?: string;
  timestamp?: string;
}

/** The held-out evaluation the job reported (leave-last-out over every merchant's customers). */
export interface RecommendModelMetrics {
  hr10: number;
  ndcg10: number;
  coverage: number;
  customers: number;
}

export interface RecommendModelFile {
  format: typeof RECOMMEND_MODEL_FORMAT;
  /** The job that trained it, and the round its item model is from. */
  job: { id: string; name: string; round: number };
  /** The job spec's name. */
  name: string;
  algorithm: 'als' | 'bpr';
  k: number;
  lambda: number;
  /** ALS only: the confidence weight c = 1 + alpha * strength. */
  alpha?: number;
  /** BPR only: the coordinator's step size (recorded; scoring does not use it). */
  itemRate?: number;
  columns: RecommendModelColumns;
  /** The item ids in the model's order: item `catalogue[i]` has factors[i] and biases[i]. */
  catalogue: string[];
  /** Item factors, one list of k numbers per catalogue item. */
  factors: number[][];
  biases: number[];
  metrics?: RecommendModelMetrics;
}

/** What a model file is made from: the job's spec fields, the final item factors and the reported metrics. */
export interface RecommendModelParts {
  job: { id: string; name: string; round: number };
  name: string;
  model: { algorithm: 'als' | 'bpr'; k: number; lambda: number; alpha?: number; itemRate?: number };
  columns: RecommendModelColumns;
  catalogue: readonly string[];
  items: ItemFactors;
  metrics?: RecommendModelMetrics;
}

export function recommendModelFile(p: RecommendModelParts): RecommendModelFile {
  const { items } = p;
  if (items.count !== p.catalogue.length || items.k !== p.model.k)
    throw new RangeError(
      `the item model has ${items.count} items with k = ${items.k}, the spec ${p.catalogue.length} items with ` +
        `k = ${p.model.k}`,
    );
  const { k } = items;
  const factors = Array.from({ length: items.count }, (_, i) => Array.from(items.factors.subarray(i * k, (i + 1) * k)));
  return {
    format: RECOMMEND_MODEL_FORMAT,
    job: { ...p.job },
    name: p.name,
    algorithm: p.model.algorithm,
    k,
    lambda: p.model.lambda,
    ...(p.model.algorithm === 'als' && p.model.alpha !== undefined ? { alpha: p.model.alpha } : {}),
    ...(p.model.algorithm === 'bpr' && p.model.itemRate !== undefined ? { itemRate: p.model.itemRate } : {}),
    columns: { ...p.columns },
    catalogue: [...p.catalogue],
    factors,
    biases: Array.from(items.biases),
    ...(p.metrics ? { metrics: { ...p.metrics } } : {}),
  };
}

/** The item factors of a (checked) model file, in the library's layout. */
export function itemsOfModelFile(m: RecommendModelFile): ItemFactors {
  const factors = new Float64Array(m.catalogue.length * m.k);
  m.factors.forEach((row, i) => {
    factors.set(row, i * m.k);
  });
  return { k: m.k, count: m.catalogue.length, factors, biases: Float64Array.from(m.biases) };
}

export function saveRecommendModelFile(path: string, m: RecommendModelFile): void {
  writeFileSync(path, `${JSON.stringify(m)}\n`);
}

/** Reads and checks a recommend model file; every problem names the file and the field. */
export function loadRecommendModelFile(path: string): RecommendModelFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--model ${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read it (${(e as Error).message})`}; ` +
        'export the model with tessera job result <id> --out model.json',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not a JSON model file (${(e as Error).message})`);
  }
  return checkRecommendModelFile(value, path);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v)?.slice(0, 60));

/** The parsed JSON as a recommend model file, or a UsageError naming the file, the field and its value. */
export function checkRecommendModelFile(m: unknown, path: string): RecommendModelFile {
  const bad = (field: string, what: string) =>
    new UsageError(
      `${path}: ${field} ${what}; the file is damaged or not a recommend model, ` +
        'export it again with tessera job result <id> --out model.json',
    );
  if (!isObject(m)) throw new UsageError(`${path}: not a recommend model file (a JSON object), got ${show(m)}`);
  if (m.format !== RECOMMEND_MODEL_FORMAT) {
    const hint =
      m.format === 'tessera-model'
        ? ': this is a train job\'s model file, which "tessera model score" uses'
        : "; export a recommend job's model with tessera job result <id> --out model.json";
    throw new UsageError(`${path}: format is ${show(m.format)}, expected "${RECOMMEND_MODEL_FORMAT}"${hint}`);
  }
  const job = m.job;
  if (!isObject(job) || typeof job.id !== 'string' || typeof job.name !== 'string' || typeof job.round !== 'number')
    throw bad('job', `must be {id, name, round}, got ${show(job)}`);
  if (typeof m.name !== 'string') throw bad('name', `must be a string, got ${show(m.name)}`);
  if (m.algorithm !== 'als' && m.algorithm !== 'bpr')
    throw bad('algorithm', `must be "als" or "bpr", got ${show(m.algorithm)}`);
  const k = m.k;
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1)
    throw bad('k', `must be a positive integer, got ${show(k)}`);
  if (typeof m.lambda !== 'number' || !(m.lambda >= 0))
    throw bad('lambda', `must be a number >= 0, got ${show(m.lambda)}`);
  for (const field of ['alpha', 'itemRate'] as const)
    if (m[field] !== undefined && !(typeof m[field] === 'number' && m[field] >= 0))
      throw bad(field, `must be a number >= 0, got ${show(m[field])}`);
  const columns = m.columns;
  if (!isObject(columns)) throw bad('columns', `must be {customer, item, ...}, got ${show(columns)}`);
  for (const field of ['customer', 'item'])
    if (typeof columns[field] !== 'string' || columns[field] === '')
      throw bad(`columns.${field}`, `must name a column, got ${show(columns[field])}`);
  for (const field of ['count', 'rating', 'timestamp'])
    if (columns[field] !== undefined && typeof columns[field] !== 'string')
      throw bad(`columns.${field}`, `must name a column, got ${show(columns[field])}`);
  const catalogue = m.catalogue;
  if (!Array.isArray(catalogue) || catalogue.length === 0)
    throw bad('catalogue', `must be a non-empty list of item ids, got ${show(catalogue)}`);
  const seen = new Set<string>();
  catalogue.forEach((id, i) => {
    if (typeof id !== 'string' || id === '') throw bad(`catalogue[${i}]`, `must be an item id, got ${show(id)}`);
    if (seen.has(id)) throw bad(`catalogue[${i}]`, `"${id}" is listed twice`);
    seen.add(id);
  });
  const factors = m.factors;
  if (!Array.isArray(factors) || factors.length !== catalogue.length)
    throw bad(
      'factors',
      `must hold one list of k numbers per catalogue item (${catalogue.length}), got ${
        Array.isArray(factors) ? `${factors.length} lists` : show(factors)
      }`,
    );
  factors.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k)
      throw bad(`factors[${i}]`, `must be ${k} numbers (k = ${k}), got ${Array.isArray(row) ? row.length : show(row)}`);
    row.forEach((x, a) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`factors[${i}][${a}]`, `is ${show(x)}, not a number`);
    });
  });
  const biases = m.biases;
  if (!Array.isArray(biases) || biases.length !== catalogue.length)
    throw bad('biases', `must hold one number per catalogue item (${catalogue.length})`);
  biases.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`biases[${i}]`, `is ${show(x)}, not a number`);
  });
  const metrics = m.metrics;
  if (metrics !== undefined) {
    if (!isObject(metrics)) throw bad('metrics', `must be {hr10, ndcg10, coverage, customers}, got ${show(metrics)}`);
    for (const field of ['hr10', 'ndcg10', 'coverage', 'customers'])
      if (typeof metrics[field] !== 'number')
        throw bad(`metrics.${field}`, `must be a number, got ${show(metrics[field])}`);
  }
  return m as unknown as RecommendModelFile;
}
