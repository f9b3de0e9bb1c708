import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Game } from '@tessera/payouts';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { renderTable } from '../ui/table.js';

const METHODS = ['exact', 'tmc', 'loo'] as const;
type TableMethod = (typeof METHODS)[number];

/** Reads a utility table file; errors name the file and what to fix. */
export async function readUtilityTable(file: string): Promise<{ players: string[]; game: Game }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  const { parseUtilityTable } = await import('@tessera/payouts');
  try {
    return parseUtilityTable(json);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
}

/** Values the players of a game by the chosen method. */
async function value(
  game: Game,
  method: TableMethod,
  seed?: string,
): Promise<{ values: number[]; evaluations: number; permutations?: number }> {
  const { exactShapley, leaveOneOut, tmcShapley } = await import('@tessera/payouts');
  switch (method) {
    case 'exact':
      return { values: exactShapley(game), evaluations: 2 ** game.players };
    case 'loo':
      return { values: leaveOneOut(game), evaluations: game.players + 1 };
    case 'tmc':
      return tmcShapley(game, seed === undefined ? {} : { seed });
  }
}

export function registerValuation(program: Command): void {
  const cmd = program
    .command('valuation')
    .description("contribution valuation: how much each participant's data is worth to a model")
    .addHelpText(
      'after',
      `
Examples:
  $ tessera valuation shapley --utilities game.json
  $ tessera valuation shapley --utilities game.json --method tmc --json`,
    );

  cmd
    .command('shapley')
    .description('Shapley values of the players of a cooperative game given as a table of coalition utilities')
    .requiredOption(
      '--utilities <file>',
      'JSON {"players": [...], "utilities": {"": 0, "a": 1, "a,b": 3, ...}} with all 2^n coalitions',
    )
    .option(
      '--method <method>',
      `exact (every coalition), tmc (truncated Monte Carlo sampling) or loo (leave-one-out)`,
      'exact',
    )
    .option('--seed <seed>', 'seed for reproducible tmc sampling (default: random)')
    .option('--json', 'print {method, players, values: {player: value}, evaluations}')
    .addHelpText(
      'after',
      `
Coalition keys are player names joined by commas, in any order ("b,a" is "a,b"); "" is the empty coalition.

Examples:
  $ tessera valuation shapley --utilities game.json
  $ tessera valuation shapley --utilities game.json --method tmc --seed 1 --json
  where game.json is {"players":["a","b","c"],"utilities":{"":0,"a":1,"b":1,"c":0,"a,b":3,"a,c":1,"b,c":1,"a,b,c":3}}`,
    )
    .action(async (o: { utilities: string; method: string; seed?: string; json?: boolean }) => {
      if (!(METHODS as readonly string[]).includes(o.method))
        throw new UsageError(`--method must be one of ${METHODS.join(', ')}, got "${o.method}"`);
      const method = o.method as TableMethod;
      const { players, game } = await readUtilityTable(o.utilities);
      const r = await value(game, method, o.seed);
      const values = Object.fromEntries(players.map((p, i) => [p, r.values[i]]));
      if (o.json) {
        printJson({
          method,
          players,
          values,
          evaluations: r.evaluations,
          ...(r.permutations === undefined ? {} : { permutations: r.permutations }),
        });
        return;
      }
      process.stdout.write(
        `${renderTable(
          ['player', 'value'],
          players.map((p, i) => [p, r.values[i]!]), // the valuers return one value per player
        )}\n`,
      );
      const how =
        method === 'loo'
          ? 'leave-one-out'
          : method === 'tmc'
            ? `truncated Monte Carlo Shapley (${r.permutations} permutations)`
            : 'exact Shapley';
      process.stdout.write(`${how}: ${r.evaluations} coalitions evaluated\n`);
    });
}
