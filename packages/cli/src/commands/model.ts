import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import type { Scores } from '@tessera/sdk';
import { registerModelRecommend } from '../recommend/recommend-command.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

const esc = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);

/** The columns appended to each scored row: binary "score"; multiclass the class and its probability; regression. */
function outputColumns(s: Scores, label: string): { names: string[]; cells: (i: number) => string[] } {
  if (s.task === 'binary') return { names: ['score'], cells: (i) => [s.probabilities[i]!.toFixed(6)] };
  const predicted = `predicted_${label}`;
  if (s.task === 'multiclass')
    return {
      names: [predicted, 'probability'],
      cells: (i) => [String(s.predictions[i]), s.probabilities[i]!.toFixed(6)],
    };
  return { names: [predicted], cells: (i) => [String(s.predictions[i])] };
}

/** The line of the task's metrics when the data had the label column. */
function metricsLine(s: Scores, label: string): string | undefined {
  const m = s.taskMetrics;
  if (!m) return undefined;
  const f = (x: number) => x.toFixed(4);
  if (m.task === 'binary')
    return `against "${label}": AUC ${f(m.auc)}, accuracy ${f(m.accuracy)}, log loss ${f(m.loss)}`;
  if (m.task === 'multiclass')
    return `against "${label}": accuracy ${f(m.accuracy)}, macro-F1 ${f(m.macroF1)}, log loss ${f(m.logLoss)}`;
  return `against "${label}": RMSE ${f(m.rmse)}, MAE ${f(m.mae)}, R² ${f(m.r2)}`;
}

/** The summary of the predictions: the mean score, the count per class, or the mean prediction. */
function summary(s: Scores): string {
  const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  if (s.task === 'binary') return `mean score ${mean(s.probabilities).toFixed(4)}`;
  if (s.task === 'regression') return `mean prediction ${mean(s.predictions as Float64Array).toPrecision(6)}`;
  const counts = new Map<string, number>((s.classes ?? []).map((c) => [c, 0]));
  for (const c of s.predictions as string[]) counts.set(c, (counts.get(c) ?? 0) + 1);
  return `predicted ${[...counts].map(([c, n]) => `${c}: ${n}`).join(', ')}`;
}

export function registerModel(program: Command): void {
  const cmd = program.command('model').description('use trained models');

  cmd
    .command('score')
    .description('score the rows of a CSV file with a model file; reports metrics when the file has the label column')
    .requiredOption('--model <file>', 'model file from `tessera job result <id> --out model.json`')
    .requiredOption('--data <file.csv>', 'rows to score (header row; same columns as in training)')
    .option(
      '--out <file.csv>',
      'write the input rows with the prediction appended: "score" (binary), "predicted_<label>" and ' +
        '"probability" (multiclass), "predicted_<label>" (regression)',
    )
    .option('--json', "print {task, rows, metrics, scores} as JSON (metrics: the task's, null without the label)")
    .addHelpText(
      'after',
      `
Binary models report AUC, accuracy and log loss; multiclass models accuracy, macro-F1 and log loss; regression
models RMSE, MAE and R² in the label's units (when the data has the label column).

Examples:
  $ tessera model score --model model.json --data customers.csv
  $ tessera model score --model model.json --data new.csv --out scored.csv
  $ tessera model score --model wine-model.json --data wine.csv --out predicted.csv --json`,
    )
    .action(async (o: { model: string; data: string; out?: string; json?: boolean }) => {
      const { loadModelFile, scoreCsv } = await import('@tessera/sdk');
      let model: ReturnType<typeof loadModelFile>;
      try {
        model = loadModelFile(o.model);
      } catch (e) {
        const message = (e as Error).message;
        if (!message.includes('"tessera-recommend/1"')) throw e;
        throw new UsageError(`${message}: a recommend job's model scores customers with tessera model recommend`);
      }
      const s = scoreCsv(model, o.data);
      const rows = s.table.rows.length;
      if (o.out) {
        const { names, cells } = outputColumns(s, model.label);
        const lines = [
          [...s.table.columns, ...names].map(esc).join(','),
          ...s.table.rows.map((r, i) => [...r, ...cells(i)].map(esc).join(',')),
        ];
        writeFileSync(o.out, `${lines.join('\n')}\n`);
      }
      if (o.json) {
        const { task: _task, ...metrics } = s.taskMetrics ?? { task: s.task };
        return printJson({
          task: s.task,
          rows,
          metrics: s.taskMetrics ? metrics : null,
          scores: [...s.predictions],
          ...(s.task === 'multiclass' ? { probabilities: [...s.probabilities], classes: s.classes } : {}),
        });
      }
      process.stdout.write(`scored ${rows} rows of ${o.data}: ${summary(s)}${o.out ? `, written to ${o.out}` : ''}\n`);
      const line = metricsLine(s, model.label);
      if (line) process.stdout.write(`${line}\n`);
    });
  registerModelRecommend(cmd);
}
