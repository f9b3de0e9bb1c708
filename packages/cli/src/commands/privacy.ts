import type { Command } from 'commander';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

/** Parses a number flag strictly: "abc", "" and "1e" are errors naming the flag. */
const number =
  (flag: string) =>
  (v: string): number => {
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${flag} must be a number, got "${v}"`);
    return x;
  };

/** "1.25,1.5,2" or ranges "5..63" (integers). */
export function parseOrders(text: string): number[] {
  const out: number[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const range = /^(\d+)\.\.(\d+)$/.exec(part);
    if (range) {
      for (let a = Number(range[1]); a <= Number(range[2]); a++) out.push(a);
      continue;
    }
    const x = Number(part);
    if (!Number.isFinite(x))
      throw new UsageError(`--orders: "${part}" is not a number (use a list like 1.5,2,3 or a range like 5..63)`);
    out.push(x);
  }
  return out;
}

const asUsage = <T>(fn: () => T): T => {
  try {
    return fn();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
};

export function registerPrivacy(program: Command): void {
  const cmd = program
    .command('privacy')
    .description("differential-privacy calculators: the accountant behind Tessera's privacy budgets");

  cmd
    .command('epsilon')
    .description(
      'epsilon spent by T steps of the Poisson-subsampled Gaussian mechanism (DP-SGD, DP-FedAvg), by RDP accounting',
    )
    .requiredOption(
      '--noise-multiplier <sigma>',
      'noise standard deviation over the clipping norm',
      number('--noise-multiplier'),
    )
    .requiredOption('--sample-rate <q>', 'sampling probability per step, in (0, 1]', number('--sample-rate'))
    .requiredOption('--steps <T>', 'number of steps (rounds)', number('--steps'))
    .requiredOption('--delta <delta>', 'target delta, in (0, 1)', number('--delta'))
    .option('--orders <list>', 'Renyi orders, e.g. 1.5,2,3 or 5..63 (default: a grid from 1.25 to 512)')
    .option('--json', 'print {epsilon, order}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera privacy epsilon --noise-multiplier 1.3 --sample-rate 0.0025 --steps 6000 --delta 1e-5
  $ tessera privacy epsilon --noise-multiplier 1.1 --sample-rate 0.01 --steps 1000 --delta 1e-5 --orders 2..64 --json`,
    )
    .action(
      async (o: {
        noiseMultiplier: number;
        sampleRate: number;
        steps: number;
        delta: number;
        orders?: string;
        json?: boolean;
      }) => {
        const { DEFAULT_ORDERS, epsilonFor, resolveOrders, subsampledGaussianRdp } = await import('@tessera/dp');
        const orders = asUsage(() => resolveOrders(o.orders ? parseOrders(o.orders) : DEFAULT_ORDERS));
        const r = asUsage(() => {
          if (!(o.noiseMultiplier > 0))
            throw new Error(`--noise-multiplier must be positive, got ${o.noiseMultiplier}`);
          const rdp = orders.map((a) => o.steps * subsampledGaussianRdp(o.noiseMultiplier, o.sampleRate, a));
          if (!Number.isInteger(o.steps) || o.steps < 1)
            throw new Error(`--steps must be a positive integer, got ${o.steps}`);
          return epsilonFor(rdp, orders, o.delta);
        });
        if (o.json) printJson(r);
        else process.stdout.write(`epsilon ${r.epsilon} at delta ${o.delta} (best Renyi order ${r.order})\n`);
      },
    );

  cmd
    .command('noise')
    .description('the smallest noise multiplier that keeps T subsampled-Gaussian steps within (epsilon, delta)')
    .requiredOption('--epsilon <epsilon>', 'target epsilon (> 0)', number('--epsilon'))
    .requiredOption('--delta <delta>', 'target delta, in (0, 1)', number('--delta'))
    .requiredOption('--sample-rate <q>', 'sampling probability per step, in (0, 1]', number('--sample-rate'))
    .requiredOption('--steps <T>', 'number of steps (rounds)', number('--steps'))
    .option('--orders <list>', 'Renyi orders (default: a grid from 1.25 to 512)')
    .option('--json', 'print {noiseMultiplier}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera privacy noise --epsilon 2 --delta 1e-5 --sample-rate 0.01 --steps 1000
  $ tessera privacy noise --epsilon 8 --delta 1e-5 --sample-rate 1 --steps 10 --json`,
    )
    .action(
      async (o: {
        epsilon: number;
        delta: number;
        sampleRate: number;
        steps: number;
        orders?: string;
        json?: boolean;
      }) => {
        const { noiseMultiplierFor } = await import('@tessera/dp');
        const noiseMultiplier = asUsage(() =>
          noiseMultiplierFor({
            epsilon: o.epsilon,
            delta: o.delta,
            sampleRate: o.sampleRate,
            steps: o.steps,
            ...(o.orders ? { orders: parseOrders(o.orders) } : {}),
          }),
        );
        if (o.json) printJson({ noiseMultiplier });
        else
          process.stdout.write(
            `noise multiplier ${noiseMultiplier} keeps ${o.steps} steps at sample rate ${o.sampleRate} within ` +
              `(${o.epsilon}, ${o.delta})-DP\n`,
          );
      },
    );

  cmd
    .command('gaussian')
    .description('the analytic Gaussian mechanism (Balle and Wang 2018): the smallest sigma for (epsilon, delta)-DP')
    .requiredOption('--epsilon <epsilon>', 'target epsilon (> 0)', number('--epsilon'))
    .requiredOption('--delta <delta>', 'target delta, in (0, 1)', number('--delta'))
    .option('--sensitivity <x>', 'L2 sensitivity of the released value', number('--sensitivity'), 1)
    .option('--json', 'print {sigma}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera privacy gaussian --epsilon 0.1 --delta 1e-6
  $ tessera privacy gaussian --epsilon 1 --delta 1e-5 --sensitivity 5000 --json`,
    )
    .action(async (o: { epsilon: number; delta: number; sensitivity: number; json?: boolean }) => {
      const { analyticGaussianSigma } = await import('@tessera/dp');
      const sigma = asUsage(() => analyticGaussianSigma(o.epsilon, o.delta, o.sensitivity));
      if (o.json) printJson({ sigma });
      else
        process.stdout.write(`sigma ${sigma} gives (${o.epsilon}, ${o.delta})-DP at L2 sensitivity ${o.sensitivity}\n`);
    });

  cmd
    .command('zcdp')
    .description('the epsilon of rho-zero-concentrated DP at a given delta (Canonne, Kamath, Steinke 2020 conversion)')
    .requiredOption('--rho <rho>', 'zCDP parameter rho (> 0)', number('--rho'))
    .requiredOption('--delta <delta>', 'target delta, in (0, 1)', number('--delta'))
    .option('--json', 'print {epsilon}')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera privacy zcdp --rho 0.5 --delta 1e-6
  $ tessera privacy zcdp --rho 0.05 --delta 1e-5 --json`,
    )
    .action(async (o: { rho: number; delta: number; json?: boolean }) => {
      const { zcdpEpsilon } = await import('@tessera/dp');
      const epsilon = asUsage(() => zcdpEpsilon(o.rho, o.delta));
      if (o.json) printJson({ epsilon });
      else process.stdout.write(`epsilon ${epsilon} at delta ${o.delta} for ${o.rho}-zCDP\n`);
    });
}
