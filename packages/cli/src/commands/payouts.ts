import type { Command } from 'commander';
import type { PayoutInputError, Split } from '@tessera/payouts';
import { writeFileSync } from 'node:fs';
import type { PayoutsView } from '@tessera/sdk';
import { connectionOptions } from '../context.js';
import { withAnalyst, withConnection, type Conn } from './job.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { registerReconcile } from '../sales/reconcile-command.js';
import { registerStatement } from '../sales/statement-command.js';

/** "a=0.5,b=0.3": participant scores, in order; errors name the item. */
export function parseScores(text: string): { participant: string; value: number }[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new UsageError('--scores needs at least one participant=score, e.g. --scores a=0.5,b=0.3');
  return items.map((item) => {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--scores: "${item}" is not participant=score (e.g. merchant-a=0.5)`);
    const participant = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value))
      throw new UsageError(`--scores: "${item}": the score "${raw}" is not a number`);
    return { participant, value };
  });
}

/** An amount in minor units: digits only, at most 2^53 - 1. */
export function parsePool(text: string): number {
  const pool = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(pool)) {
    throw new UsageError(
      '--pool must be a non-negative whole number of minor units (cents, fen) ' +
        `up to ${Number.MAX_SAFE_INTEGER}, got "${text}"`,
    );
  }
  return pool;
}

/**
 * Runs `fn`, turning a library input error (a `PayoutInputError`, the class given) into a usage error that names the
 * flag to change.
 */
const asUsage = <T>(inputError: typeof PayoutInputError, fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof inputError)) throw e;
    const flag = e.field === 'pool' || e.field === 'currency' ? `--${e.field}` : '--scores';
    throw new UsageError(
      e.message.startsWith(e.field) && flag !== '--scores'
        ? `${flag}${e.message.slice(e.field.length)}`
        : `${flag}: ${e.message}`,
    );
  }
};

/** A split as a table for a person. */
export function renderSplit(split: Split): string {
  const rows = split.entries.map((e) => [e.participant, e.value, `${(e.share * 100).toFixed(2)}%`, e.amount]);
  const table = renderTable(['participant', 'value', 'share', `amount (${split.currency} minor units)`], rows);
  return `${table}\ntotal ${split.pool} ${split.currency} minor units\n`;
}

function registerSplit(cmd: Command): void {
  cmd
    .command('split')
    .description(
      'split a pool exactly by contribution scores: integer amounts that sum to the pool (largest remainder rounding)',
    )
    .requiredOption('--pool <amount>', 'the pool in minor units (cents, fen), a whole number')
    .requiredOption('--currency <code>', 'ISO 4217 currency code, e.g. EUR, CNY')
    .requiredOption('--scores <list>', 'participant=score,...; zero and negative scores get nothing')
    .option('--json', 'print {pool, currency, entries: [{participant, value, share, amount}]}')
    .addHelpText(
      'after',
      `
Units left over after rounding down go one each to the largest remainders; equal remainders go to the larger
score, then to the participant name that sorts first.

Examples:
  $ tessera payouts split --pool 1001 --currency CNY --scores a=1,b=1,c=1
  $ tessera payouts split --pool 250000 --currency EUR ` +
        `--scores merchant-a=0.52,merchant-b=0.31,merchant-c=-0.02 --json`,
    )
    .action(async (o: { pool: string; currency: string; scores: string; json?: boolean }) => {
      const pool = parsePool(o.pool);
      const scores = parseScores(o.scores);
      const { PayoutInputError, splitPool } = await import('@tessera/payouts');
      const split = asUsage(PayoutInputError, () => splitPool(pool, o.currency, scores));
      if (o.json) printJson(split);
      else process.stdout.write(renderSplit(split));
    });
}

/** A job's payout for a person: the split, or why nothing was paid. */
export function renderPayouts(jobId: string, p: PayoutsView): string {
  if (p.status !== 'paid') return `job ${jobId}: payout of ${p.pool} ${p.currency} ${p.status}: ${p.reason ?? ''}\n`;
  const rows = p.entries.map((e) => [e.participant, e.value, `${(e.share * 100).toFixed(2)}%`, e.amount, e.seq ?? '']);
  return (
    `job ${jobId}: ${p.pool} ${p.currency} (minor units) split by ${p.method} (${p.metric} on the job's ` +
    `validation rows${p.evaluations !== undefined ? `, ${p.evaluations} utility evaluations` : ''})\n` +
    `${renderTable(['participant', 'value', 'share', `amount (${p.currency})`, 'ledger seq'], rows)}\n` +
    `ledger head ${p.ledgerHead}; coordinator key ${p.coordinatorPublicKey}\n`
  );
}

function registerShow(cmd: Command): void {
  withConnection(cmd.command('show'))
    .description("show how a job's payout pool was split (or why it was not), with the ledger entries it wrote")
    .requiredOption('--job <id>', 'the training job')
    .option(
      '--json',
      'print {method, metric, pool, currency, status, entries:[{participant, value, share, amount, seq}], ' +
        'ledgerHead, coordinatorPublicKey}',
    )
    .option(
      '--out <file.html>',
      'also write an HTML report: shares and values as charts, the ledger entries, how to verify them',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera payouts show --job job-3f2a9c1b7e44
  $ tessera payouts show --job job-3f2a9c1b7e44 --json
  $ tessera payouts show --job job-3f2a9c1b7e44 --out payout.html
${connectionOptions}`,
    )
    .action(async (o: Conn & { job: string; out?: string }) => {
      await withAnalyst(o, async (analyst) => {
        const job = await analyst.get(o.job);
        if (!job.payouts) {
          throw new UsageError(
            job.spec.payout
              ? `job ${job.id} is ${job.status} and has not been valued yet`
              : `job ${job.id} has no payout (its spec has no payout section)`,
          );
        }
        if (o.out) {
          const { renderPayoutReport } = await import('@tessera/console/report');
          writeFileSync(
            o.out,
            renderPayoutReport({ jobId: job.id, payouts: job.payouts, generatedAt: new Date().toISOString() }),
          );
          process.stderr.write(`payout report written to ${o.out}\n`);
        }
        if (o.json) printJson(job.payouts);
        else process.stdout.write(renderPayouts(job.id, job.payouts));
        if (job.payouts.status !== 'paid') process.exitCode = 1;
      });
    });
}

export function registerPayouts(program: Command): void {
  const cmd = program
    .command('payouts')
    .description('data-trust payouts: split a pool by contribution, exactly to the cent')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera payouts split --pool 1001 --currency CNY --scores a=1,b=1,c=1
  $ tessera payouts show --job job-3f2a9c1b7e44
  $ tessera payouts statement --member merchant-a --out statement.html
  $ tessera payouts reconcile --ledger ledger.jsonl --key <coordinatorPublicKey>`,
    );
  registerSplit(cmd);
  registerShow(cmd);
  registerStatement(cmd);
  registerReconcile(cmd);
}
