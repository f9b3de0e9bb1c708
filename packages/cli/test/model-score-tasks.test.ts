// `tessera model score` on multiclass and regression model files: the task's metrics and prediction columns.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv } from '@tessera/data';
import { afterAll, describe, expect, it } from 'vitest';
import { saveModelFile } from '@tessera/sdk';
import { diabetesLinear, exampleCsv, wineSoftmax } from '../../client/test/trained-model-file.js';
import { runCli } from './in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-model-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera model score', () => {
  it('prints a softmax model’s accuracy, macro-F1 and log loss and writes the predicted class', async () => {
    const t = wineSoftmax();
    const modelPath = join(dir, 'wine.json');
    saveModelFile(modelPath, t.file);
    const out = join(dir, 'wine-scored.csv');
    const r = await runCli(['model', 'score', '--model', modelPath, '--data', exampleCsv('wine.csv'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^scored 178 rows of .*wine\.csv: predicted 0: \d+, 1: \d+, 2: \d+, written to /m);
    expect(r.stdout).toMatch(/against "cultivar": accuracy 0\.9\d+, macro-F1 0\.9\d+, log loss \d\.\d{4}/);
    const scored = parseCsv(readFileSync(out, 'utf8'), out);
    expect(scored.columns.slice(-2)).toEqual(['predicted_cultivar', 'probability']);
    const rows = scored.rows;
    const right = rows.filter((row) => row.at(-3) === row.at(-2)).length;
    expect(right / rows.length).toBeGreaterThan(0.9);
    expect(rows.every((row) => Number(row.at(-1)) > 1 / 3 && Number(row.at(-1)) <= 1)).toBe(true);

    const json = await runCli(['model', 'score', '--model', modelPath, '--data', exampleCsv('wine.csv'), '--json']);
    const parsed = JSON.parse(json.stdout) as {
      task: string;
      rows: number;
      metrics: Record<string, number>;
      scores: string[];
      classes: string[];
    };
    expect(parsed).toMatchObject({ task: 'multiclass', rows: 178, classes: ['0', '1', '2'] });
    expect(Object.keys(parsed.metrics).sort()).toEqual(['accuracy', 'logLoss', 'loss', 'macroF1', 'n']);
    expect(parsed.scores.slice(0, 3)).toEqual(rows.slice(0, 3).map((row) => row.at(-2)));
  });

  it('prints a linear model’s RMSE, MAE and R² and writes the prediction in label units', async () => {
    const t = diabetesLinear();
    const modelPath = join(dir, 'diabetes.json');
    saveModelFile(modelPath, t.file);
    const out = join(dir, 'diabetes-scored.csv');
    const r = await runCli([
      'model',
      'score',
      '--model',
      modelPath,
      '--data',
      exampleCsv('diabetes.csv'),
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/against "progression": RMSE (\d+\.\d{4}), MAE \d+\.\d{4}, R² 0\.\d{4}/);
    const rmse = Number(/RMSE (\d+\.\d+)/.exec(r.stdout)![1]);
    expect(rmse).toBeGreaterThan(30); // label units (the label spans 25 to 346), not the scaled [-1, 1]
    expect(rmse).toBeLessThan(80);
    const scored = parseCsv(readFileSync(out, 'utf8'), out);
    expect(scored.columns.at(-1)).toBe('predicted_progression');
    const errors = scored.rows.map((row) => Number(row.at(-1)) - Number(row.at(-2)));
    const fromFile = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    expect(fromFile).toBeCloseTo(rmse, 3);

    const json = await runCli(['model', 'score', '--model', modelPath, '--data', exampleCsv('diabetes.csv'), '--json']);
    const parsed = JSON.parse(json.stdout) as { task: string; metrics: Record<string, number> };
    expect(parsed.task).toBe('regression');
    expect(parsed.metrics.rmse).toBeCloseTo(rmse, 3);
    expect(Object.keys(parsed.metrics).sort()).toEqual(['loss', 'mae', 'mse', 'n', 'r2', 'rmse']);
  });

  it('names the file and the fix for a damaged model file', async () => {
    const path = join(dir, 'damaged.json');
    writeFileSync(path, JSON.stringify({ ...wineSoftmax().file, weights: [1, 2, 3] }));
    const r = await runCli(['model', 'score', '--model', path, '--data', exampleCsv('wine.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path}: weights has 3 values`);
    expect(r.stderr).toContain('export it again');
  });
});
