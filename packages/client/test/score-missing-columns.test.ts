// Scoring a CSV that lacks the model's feature columns names exactly those columns, never the label or other columns.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scoreCsv, type ModelFile } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-score-missing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model: ModelFile = {
  format: 'tessera-model',
  version: 1,
  type: 'logistic',
  label: 'repurchase',
  features: [
    { name: 'age', kind: 'numeric' },
    { name: 'visits', kind: 'numeric' },
  ],
  featureNames: ['age', 'visits'],
  standardization: { mean: [40, 5], std: [10, 2] },
  weights: [0.5, -0.25, 0.1],
  job: { id: 'j1', name: 'repurchase', round: 1, metrics: {} },
};

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('model score on a CSV without the model’s columns', () => {
  it('names only the missing feature columns, not the label or the file’s other columns', () => {
    const path = csv('ab.csv', 'a,b\n1,2\n3,4\n');
    let message = '';
    try {
      scoreCsv(model, path);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('"age", "visits"');
    expect(message).toContain('add them to the file');
    expect(message).not.toContain('repurchase');
    expect(message).not.toMatch(/\ba, b\b/);
  });

  it('names the one missing column when the others are there', () => {
    const path = csv('age.csv', 'age,b\n30,2\n');
    expect(() => scoreCsv(model, path)).toThrow(/feature column "visits", which is missing; add it/);
  });

  it('still scores a file that has the features but no label', () => {
    const path = csv('ok.csv', 'age,visits\n30,2\n50,8\n');
    const s = scoreCsv(model, path);
    expect(s.probabilities.length).toBe(2);
    expect(s.metrics).toBeUndefined();
  });
});
