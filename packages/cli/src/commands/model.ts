import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { printJson } from '../ui/output.js';

export function registerModel(program: Command): void {
  const cmd = program.command('model').description('use trained models');

  cmd
    .command('score')
    .description('score the rows of a CSV file with a model file; reports metrics when the file has the label column')
    .requiredOption('--model <file>', 'model file from `tessera job result <id> --out model.json`')
    .requiredOption('--data <file.csv>', 'rows to score (header row; same columns as in training)')
    .option('--out <file.csv>', 'write the input rows with a "score" column appended')
    .option('--json', 'print {rows, metrics, scores} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera model score --model model.json --data customers.csv
  $ tessera model score --model model.json --data new.csv --out scored.csv`,
    )
    .action(async (o: { model: string; data: string; out?: string; json?: boolean }) => {
      const { loadModelFile, scoreCsv } = await import('@tessera/sdk');
      const model = loadModelFile(o.model);
      const s = scoreCsv(model, o.data);
      if (o.out) {
        const esc = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
        const lines = [
          [...s.table.columns, 'score'].map(esc).join(','),
          // scoreCsv gives one probability per row of the table
          ...s.table.rows.map((r, i) => [...r, s.probabilities[i]!.toFixed(6)].map(esc).join(',')),
        ];
        writeFileSync(o.out, `${lines.join('\n')}\n`);
      }
      if (o.json)
        return printJson({ rows: s.probabilities.length, metrics: s.metrics ?? null, scores: [...s.probabilities] });
      const mean = s.probabilities.reduce((a, b) => a + b, 0) / Math.max(1, s.probabilities.length);
      process.stdout.write(
        `scored ${s.probabilities.length} rows of ${o.data}: ` +
          `mean score ${mean.toFixed(4)}${o.out ? `, written to ${o.out}` : ''}\n`,
      );
      if (s.metrics)
        process.stdout.write(
          `against "${model.label}": AUC ${s.metrics.auc.toFixed(4)}, accuracy ${s.metrics.accuracy.toFixed(4)}, ` +
            `log loss ${s.metrics.loss.toFixed(4)}\n`,
        );
    });
}
