// tessera demo for every model kind and strategy: the task read from the label, refusals of inconsistent flags, and
// federations of softmax, linear and mlp models against their centralised and local-only baselines.
import { describe, expect, it } from 'vitest';
import { readCsvFile } from '@tessera/data';
import { demoOptions, example } from './demo-options.js';
import { runDemo } from '../src/demo/run-demo.js';
import { resolveTarget } from '../src/demo/demo-task.js';
import { loadDemoData } from '../src/demo/demo-data.js';
import { modelOptionsOf } from '../src/demo/model-flags.js';
import { demoReport } from '../src/demo/print-demo.js';
import { runCli } from './in-process.js';

const labelCells = (name: string, label: string) => {
  const t = readCsvFile(example(name));
  const li = t.columns.indexOf(label);
  return t.rows.map((r) => r[li]!);
};

const base = demoOptions({
  rounds: 3,
  secure: 'none',
});

describe('the demo reads the task from the label', () => {
  it('binary spellings, a few integers, many numbers and text each get their task and default model', () => {
    expect(resolveTarget({ label: 'benign', cells: labelCells('breast_cancer', 'benign') })).toEqual({
      task: 'binary',
      model: 'logistic',
    });
    expect(resolveTarget({ label: 'y', cells: ['yes', 'no', 'Yes', 'no'] }).task).toBe('binary');
    const digits = resolveTarget({ label: 'digit', cells: labelCells('digits', 'digit') });
    expect(digits).toEqual({
      task: 'multiclass',
      model: 'softmax',
      classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    // Classes sort numerically, not as text.
    expect(resolveTarget({ label: 'n', cells: ['10', '2', '1', '2'] }).classes).toEqual(['1', '2', '10']);
    const diabetes = resolveTarget({ label: 'progression', cells: labelCells('diabetes', 'progression') });
    expect(diabetes.task).toBe('regression');
    expect(diabetes.model).toBe('linear');
    expect(diabetes.labelRange).toEqual([25, 346]);
    expect(resolveTarget({ label: 'size', cells: ['0.5', '1.25', '2'] }).task).toBe('regression');
    expect(resolveTarget({ label: 'colour', cells: ['red', 'blue', 'red'] })).toEqual({
      task: 'multiclass',
      model: 'softmax',
      classes: ['blue', 'red'],
    });
  });

  it('--task and --model override the label: linear means regression, classification keeps the classes', () => {
    expect(resolveTarget({ label: 'n', cells: ['1', '2', '3'], model: 'linear' }).task).toBe('regression');
    expect(resolveTarget({ label: 'n', cells: ['0.5', '1.5', '0.5'], task: 'classification' }).classes).toEqual([
      '0.5',
      '1.5',
    ]);
    expect(resolveTarget({ label: 'b', cells: ['0', '1', '1'], task: 'regression' }).labelRange).toEqual([0, 1]);
    expect(resolveTarget({ label: 'd', cells: ['1', '2', '3'], model: 'mlp', task: 'regression' }).model).toBe('mlp');
  });

  it('a regression label is dealt by quantile bins, a multiclass label by class index', () => {
    const diabetes = loadDemoData({ data: example('diabetes'), label: 'progression', participants: 3, seed: 1 });
    expect(new Set(diabetes.labels)).toEqual(new Set([0, 1, 2, 3, 4]));
    const wine = loadDemoData({ data: example('wine'), label: 'cultivar', participants: 3, seed: 1 });
    expect(new Set(wine.labels)).toEqual(new Set([0, 1, 2]));
    expect(wine.labelTarget).toEqual({ task: 'multiclass', classes: ['0', '1', '2'] });
  });
});

describe('inconsistent demo flags are refused with the reason', () => {
  it('a model that does not fit the task says which would', () => {
    expect(() => resolveTarget({ label: 'digit', cells: labelCells('digits', 'digit'), model: 'logistic' })).toThrow(
      'label digit has 10 classes; logistic is binary: use --model softmax or --model mlp',
    );
    expect(() => resolveTarget({ label: 'benign', cells: ['0', '1'], model: 'softmax' })).toThrow(
      'label benign is binary; softmax is multiclass: use --model logistic or --model mlp',
    );
    expect(() =>
      resolveTarget({ label: 'c', cells: ['0', '1', '2'], model: 'linear', task: 'classification' }),
    ).toThrow('linear is regression: use --model softmax or --model mlp');
    expect(() => resolveTarget({ label: 'p', cells: ['0.5', '1.5', '2.5'], model: 'softmax' })).toThrow(
      'or --task classification',
    );
    expect(() => resolveTarget({ label: 'c', cells: ['red', 'blue'], task: 'regression' })).toThrow(
      'label c holds text (e.g. "red"), and a regression predicts a number',
    );
    expect(() => resolveTarget({ label: 'c', cells: ['1', '1'] })).toThrow('nothing to learn');
  });

  it('strategy options the strategy does not take are refused naming the flag', () => {
    expect(() => modelOptionsOf({ strategy: 'fedadam', serverMomentum: '0.9' })).toThrow(
      '--server-momentum is an option of fedavgm, not of fedadam: ' +
        'use --strategy fedavgm, or leave out --server-momentum',
    );
    expect(() => modelOptionsOf({ beta2: '0.99' })).toThrow('--beta2 is an option of fedadam, fedyogi, not of fedavg');
    expect(() => modelOptionsOf({ strategy: 'fedadagrad', beta2: '0.99' })).toThrow('not of fedadagrad');
    expect(() => modelOptionsOf({ strategy: 'fedadam', beta1: '2' })).toThrow('--beta1: strategy fedadam: beta1');
    expect(() => modelOptionsOf({ strategy: 'fedadam', tau: 'x' })).toThrow('--tau must be a number, got "x"');
    expect(() => modelOptionsOf({ strategy: 'fedsgd' })).toThrow('--strategy must be one of fedavg');
    expect(modelOptionsOf({ strategy: 'FedAdam', serverLr: '0.05', beta1: '0.8' })).toEqual({
      strategy: 'fedadam',
      strategyOptions: { serverLearningRate: 0.05, beta1: 0.8 },
    });
    expect(() => modelOptionsOf({ hidden: '32' })).toThrow('--hidden sets the hidden layers of an mlp');
    expect(modelOptionsOf({ model: 'mlp', hidden: '64, 32' }).hidden).toEqual([64, 32]);
    expect(() => modelOptionsOf({ model: 'mlp', hidden: '64,0' })).toThrow('--hidden');
    expect(() => modelOptionsOf({ model: 'mlp', hidden: '1,2,3,4' })).toThrow('--hidden takes 1 to 3 layer widths');
    expect(() => modelOptionsOf({ model: 'tree' })).toThrow('--model must be one of logistic, linear, softmax, mlp');
    expect(() => modelOptionsOf({ task: 'ranking' })).toThrow('--task must be classification or regression');
    expect(() => modelOptionsOf({ optimiser: 'rmsprop' })).toThrow('--optimiser must be sgd or adam');
  });

  it('the command refuses before starting a federation', async () => {
    const r = await runCli(['demo', '--data', example('digits'), '--label', 'digit', '--model', 'logistic']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('label digit has 10 classes; logistic is binary: use --model softmax or --model mlp');
    const s = await runCli(['demo', '--strategy', 'fedprox', '--tau', '0.01']);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain('--tau is an option of fedadam, fedyogi, fedadagrad, not of fedprox');
  });
});

describe('federations of every model kind (participants inline)', () => {
  it('wine softmax with fedadam: federated accuracy within 0.05 of centralised', async () => {
    const r = await runDemo({
      ...base,
      data: example('wine'),
      label: 'cultivar',
      model: 'softmax',
      strategy: 'fedadam',
      rounds: 10,
      split: 'iid',
    });
    expect(r.model).toMatchObject({ kind: 'softmax', task: 'multiclass', classes: ['0', '1', '2'] });
    expect(r.strategy?.name).toBe('fedadam');
    for (const q of [r.federated, r.centralized, r.localOnly[0]!, r.localOnlyMean]) {
      expect(q.accuracy).toBeGreaterThan(0.5);
      expect(q.macroF1).toBeGreaterThan(0.5);
      expect(Number.isFinite(q.logLoss)).toBe(true);
      expect(q.auc).toBeNaN();
    }
    expect(Math.abs(r.federated.accuracy - r.centralized.accuracy)).toBeLessThanOrEqual(0.05);
    const report = demoReport(r);
    expect(report).toContain('macro F1');
    expect(report).toMatch(/federated accuracy \d\.\d{4} vs centralized/);
  });

  // The demo's default learning rate for a regression (0.05): at 0.1 the centralised model's last SGD step is noisy.
  it('diabetes linear regression: federated R² within 0.05 of centralised, metrics in label units', async () => {
    const r = await runDemo({
      ...base,
      data: example('diabetes'),
      label: 'progression',
      model: 'linear',
      task: 'regression',
      rounds: 10,
      split: 'iid',
    });
    expect(r.model).toMatchObject({ kind: 'linear', task: 'regression', labelRange: [25, 346] });
    expect(r.federated.r2).toBeGreaterThan(0.3);
    expect(Math.abs(r.federated.r2! - r.centralized.r2!)).toBeLessThanOrEqual(0.05);
    // Label units: the progression's standard deviation is about 77, a useful model's RMSE is of that order.
    expect(r.federated.rmse).toBeGreaterThan(30);
    expect(r.federated.rmse).toBeLessThan(77);
    expect(r.federated.mse).toBeCloseTo(r.federated.rmse! ** 2, 6);
    expect(r.localOnly[0]!.r2).toBeDefined();
    expect(r.federated.accuracy).toBeNaN();
    expect(demoReport(r)).toMatch(/federated R² -?\d\.\d{4} vs centralized/);
  });

  it('digits mlp [32]: federated accuracy above the mean of the local-only models', async () => {
    const r = await runDemo({
      ...base,
      data: example('digits'),
      label: 'digit',
      model: 'mlp',
      hidden: [32],
      participants: 3,
      rounds: 3,
      split: 'dirichlet:0.5',
    });
    expect(r.model).toMatchObject({ kind: 'mlp', task: 'multiclass', hidden: [32] });
    expect(r.federated.accuracy).toBeGreaterThan(r.localOnlyMean.accuracy);
    expect(r.federated.macroF1).toBeGreaterThan(0.5);
    expect(r.centralized.accuracy).toBeGreaterThan(0.8);
  });
});
