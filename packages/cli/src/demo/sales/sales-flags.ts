import type { Command } from 'commander';
import { UsageError } from '../../ui/errors.js';
import { printJson } from '../../ui/output.js';

/** The demo flags --sales reads. */
export interface SalesFlags {
  participants: number;
  seed: number;
  epsilon: number;
  delta: number;
  inline?: boolean;
  keep?: string;
  json?: boolean;
  ledgerOut?: string;
  statementOut?: string;
}

/** Demo flags that mean nothing with --sales (given on the command line, they are refused by name). */
const NOT_WITH_SALES = [
  'query',
  'report',
  'payoutPool',
  'payoutReport',
  'recommend',
  'vertical',
  'data',
  'label',
  'console',
  'dp',
] as const;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `tessera demo --sales`: checks the flags, runs the sales demo, prints it (or its JSON). */
export async function runSalesFromFlags(o: SalesFlags, cmd: Command): Promise<void> {
  for (const key of NOT_WITH_SALES)
    if (cmd.getOptionValueSource(key) === 'cli')
      throw new UsageError(`${flagName(key)} cannot be combined with --sales (it sells the market-insight report)`);
  const epsilon = cmd.getOptionValueSource('epsilon') === 'default' ? 1 : o.epsilon;
  const delta = cmd.getOptionValueSource('delta') === 'default' ? 1e-6 : o.delta;
  const participants = cmd.getOptionValueSource('participants') === 'default' ? 4 : o.participants;
  if (!(epsilon > 0)) throw new UsageError(`--epsilon must be positive, got ${epsilon}`);
  if (!(delta > 0 && delta < 1)) throw new UsageError(`--delta must be between 0 and 1, got ${delta}`);
  const [{ runSalesDemo }, { printSalesDemo }] = await Promise.all([
    import('./run-sales-demo.js'),
    import('./print-sales-demo.js'),
  ]);
  const result = await runSalesDemo({
    participants,
    seed: o.seed,
    epsilon,
    delta,
    runtime: o.inline ? 'inline' : 'worker',
    status: (line) => process.stderr.write(`${line}\n`),
    ...(o.ledgerOut ? { ledgerOut: o.ledgerOut } : {}),
    ...(o.statementOut ? { statementOut: o.statementOut } : {}),
    ...(o.keep ? { keep: o.keep } : {}),
  });
  if (o.json) printJson(result);
  else printSalesDemo(result);
  if (!result.reconcile.balanced || result.statements.some((s) => s.receipts && !s.receipts.ok)) process.exitCode = 1;
}
