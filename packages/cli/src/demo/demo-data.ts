import { basename } from 'node:path';
import {
  binaryLabel,
  generateCommerce,
  labelCellReader,
  numberValue,
  profileTable,
  readCsvFile,
  type LabelTarget,
  type RawTable,
} from '@tessera/data';
import type { seededRandom } from '@tessera/ml';
import { UsageError } from '../ui/errors.js';
import { resolveTarget, type DemoModelKind, type DemoTarget } from './demo-task.js';

/** A regression label is dealt to participants by these many quantile bins (so a Dirichlet split still works). */
const REGRESSION_BINS = 5;

export interface DemoData {
  table: RawTable;
  label: string;
  /** Columns that are not features (identifiers, the split column of a synthetic set). */
  exclude: string[];
  defaultSplit: string;
  description: string;
  /** Per row, a class index: 0/1 (binary), the class (multiclass) or a quantile bin (regression); for the splits. */
  labels: Float64Array;
  /** The task, model kind, and the label's classes or range. */
  target: DemoTarget;
  /** How the label encodes (the agreed schema's target). */
  labelTarget: LabelTarget;
}

/** The demo's task flags: --task and --model (each optional). */
export interface DemoTaskFlags {
  task?: 'classification' | 'regression';
  model?: DemoModelKind;
}

/** The demo's data: a CSV file the user names, or the project's seeded synthetic merchants' customers. */
export function loadDemoData(
  o: {
    data?: string;
    label?: string;
    participants: number;
    seed: number;
    customersPerMerchant?: number;
  } & DemoTaskFlags,
): DemoData {
  if (o.data) {
    if (!o.label)
      throw new UsageError('--data needs --label COLUMN (the target, e.g. --label benign or --label progression)');
    const table = readCsvFile(o.data);
    const li = table.columns.indexOf(o.label);
    if (li < 0) profileTable(table, o.label); // says which columns there are
    const empty = table.rows.findIndex((r) => (r[li] ?? '').trim() === '');
    if (empty >= 0)
      throw new UsageError(`${o.data}: data row ${empty + 1} has no ${o.label} value; fill it in or remove the row`);
    // The label's classes or range come from the whole table: fine in a demo, where the analyst holds all the data
    // (a real job declares them as public knowledge in its spec).
    const target = resolveTarget({ label: o.label, cells: table.rows.map((r) => r[li] ?? ''), ...flags(o) });
    const labelTarget = labelTargetOf(target);
    profileTable(table, o.label, { target: labelTarget });
    return {
      table,
      label: o.label,
      exclude: [],
      defaultSplit: 'iid',
      description: `${basename(o.data)} (${table.rows.length} rows)`,
      labels: splitLabels(table, li, target, labelTarget),
      target,
      labelTarget,
    };
  }
  if (o.label && o.label !== 'repurchase')
    throw new UsageError(`the synthetic data set's label is "repurchase"; --label ${o.label} needs --data FILE.csv`);
  const perMerchant = o.customersPerMerchant ?? 600;
  const table = generateCommerce({ merchants: o.participants, customersPerMerchant: perMerchant, seed: o.seed });
  const li = table.columns.indexOf('repurchase');
  const labels = Float64Array.from(table.rows.map((r) => binaryLabel(r[li]!) ?? 0)); // every generated row has one
  const rows = table.rows.length;
  const target = resolveTarget({ label: 'repurchase', cells: table.rows.map((r) => r[li]!), ...flags(o) });
  return {
    table,
    label: 'repurchase',
    exclude: ['customer_id', 'merchant'],
    defaultSplit: 'by:merchant',
    labels: target.task === 'binary' ? labels : splitLabels(table, li, target, labelTargetOf(target)),
    target,
    labelTarget: labelTargetOf(target),
    description: `synthetic e-commerce customers of ${o.participants} merchants (${rows} rows, seed ${o.seed})`,
  };
}

const flags = (o: DemoTaskFlags): DemoTaskFlags => ({
  ...(o.task !== undefined ? { task: o.task } : {}),
  ...(o.model !== undefined ? { model: o.model } : {}),
});

export function labelTargetOf(t: DemoTarget): LabelTarget {
  if (t.task === 'multiclass') return { task: 'multiclass', classes: t.classes! }; // multiclass targets have classes
  return { task: t.task };
}

/**
 * A class index per row for the stratified test split and the Dirichlet split: the label's class, or for a
 * regression its quantile bin (0..REGRESSION_BINS-1).
 */
function splitLabels(table: RawTable, li: number, target: DemoTarget, labelTarget: LabelTarget): Float64Array {
  if (target.task !== 'regression') {
    const read = labelCellReader(table, li, labelTarget);
    return Float64Array.from(table.rows, (_, i) => read(i));
  }
  const values = table.rows.map((r) => numberValue(r[li] ?? '') ?? 0); // resolveTarget: every label is a number
  const sorted = [...values].sort((a, b) => a - b);
  const cuts = Array.from(
    { length: REGRESSION_BINS - 1 },
    (_, k) => sorted[Math.floor(((k + 1) * sorted.length) / REGRESSION_BINS)]!, // k + 1 < bins: within the rows
  );
  return Float64Array.from(values, (v) => cuts.filter((c) => v >= c).length);
}

/** A copy of a shard whose label column is randomly permuted: same class balance, no signal. */
export function scrambleLabels(t: RawTable, label: string, rng: ReturnType<typeof seededRandom>): RawTable {
  const li = t.columns.indexOf(label);
  const labels = t.rows.map((r) => r[li]!); // the demo's tables were checked to hold the label column
  rng.shuffle(labels);
  return { ...t, rows: t.rows.map((r, i) => r.map((c, j) => (j === li ? labels[i]! : c))) }; // one label per row
}
