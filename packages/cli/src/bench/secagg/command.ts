import type { Command } from 'commander';
import { printJson } from '../../ui/output.js';
import { renderTable } from '../../ui/table.js';
import { measureSecAggRound, type SecAggRoundFigures } from './round.js';

const list = (v: string) => v.split(',').map((x) => Number(x.trim()));

export function printSecAggTable(rows: readonly SecAggRoundFigures[]): void {
  process.stdout.write(`${renderTable(
    ['n', 'd', 'drop', 't', 'k', 'plain s', 'secure s', 'ratio', 'critical path ratio', 'unmask s', 'mask words/s'],
    rows.map((r) => [r.participants, r.dimension, r.drop, r.threshold, r.degree, r.plainSeconds, r.secureSeconds, r.ratio,
      r.secureCriticalPathSeconds / r.plainCriticalPathSeconds, r.unmaskSeconds, Math.round(r.maskingWordsPerSecond)]),
  )}\n`);
}

/** `tessera bench secagg`: one in-process SecAgg+ round against the plain round, same run, same inputs. */
export function registerSecAggBench(bench: Command): void {
  bench.command('secagg')
    .description('time one SecAgg+ round against a plain round on the same inputs, in-process (no network)')
    .option('--participants <n>', 'participants in the round (comma-separated for several)', '10')
    .option('--dim <d>', 'vector length (comma-separated for several)', '10000')
    .option('--drop <fraction>', 'share of participants that drop out, each at a random stage', Number, 0.1)
    .option('--json', 'print {plainSeconds, secureSeconds, ratio, unmaskSeconds, ...} (an array for several sizes)')
    .addHelpText('after', `
Examples:
  $ tessera bench secagg --participants 10 --dim 10000 --drop 0.1 --json
  $ tessera bench secagg --participants 100,500 --dim 100000 --drop 0.3

plainSeconds: every participant quantises its update and the server sums them.
secureSeconds: the same plus all four SecAgg+ stages for every participant and the server,
run one after another in this process; the secure sum is checked against the plain one.
unmaskSeconds: the server's unmask step alone. See docs/benchmarks.md.`)
    .action((o: { participants: string; dim: string; drop: number; json?: boolean }) => {
      const rows: SecAggRoundFigures[] = [];
      for (const n of list(o.participants)) for (const d of list(o.dim)) rows.push(measureSecAggRound(n, d, o.drop));
      if (o.json) printJson(rows.length === 1 ? rows[0] : rows);
      else printSecAggTable(rows);
    });
}
