import { Command } from 'commander';
import { registerAnalyst } from './commands/analyst.js';
import { registerBench } from './commands/bench.js';
import { registerConsole } from './commands/console.js';
import { registerCoordinator } from './commands/coordinator.js';
import { registerDemo } from './commands/demo.js';
import { registerJob } from './commands/job.js';
import { registerKeys } from './commands/keys.js';
import { registerModel } from './commands/model.js';
import { registerScore } from './commands/score.js';
import { registerQuery } from './commands/query.js';
import { registerReport } from './commands/report.js';
import { registerOverlap } from './commands/overlap.js';
import { registerParticipant } from './commands/participant.js';
import { registerPrivacy } from './commands/privacy.js';
import { registerValuation } from './commands/valuation.js';
import { registerPayouts } from './commands/payouts.js';
import { registerProducts } from './commands/products.js';
import { registerLedger } from './commands/ledger.js';
import { registerRoster } from './commands/roster.js';

export const VERSION = '0.1.0';
export { cliReference } from './cli-reference.js';

export function buildProgram(): Command {
  const program = new Command('tessera')
    .description(
      'Privacy-preserving federated analytics and learning: merchants keep their data, everyone learns from all of it.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera demo                                  a whole federation on this machine, then a results table
  $ tessera coordinator start                     run a coordinator (state in ./.tessera/coordinator)
  $ tessera coordinator enroll merchant-a         print a one-time enrolment token
  $ tessera participant init --token <t> --name merchant-a --dataset customers=./customers.csv
  $ tessera participant start                     serve local data to the coordinator
  $ tessera keys create                           your analyst identity (and keys for sealed jobs)
  $ tessera analyst join <invitation>             join a coordinator with it (the operator invites you)
  $ tessera job submit job.yaml --watch           train and follow the rounds
  $ tessera job submit job.yaml --sealed          only you can decrypt the aggregates
`,
    );
  registerDemo(program);
  registerCoordinator(program);
  registerParticipant(program);
  registerJob(program);
  registerKeys(program);
  registerAnalyst(program);
  registerConsole(program);
  registerModel(program);
  registerScore(program);
  registerQuery(program);
  registerReport(program);
  registerOverlap(program);
  registerPrivacy(program);
  registerValuation(program);
  registerPayouts(program);
  registerProducts(program);
  registerLedger(program);
  registerRoster(program);
  registerBench(program);
  // Only the program's own options stop at the command's name (set after registering, so no command inherits it):
  // a command with subcommands of its own, like demo and demo data, then reads its options itself.
  program.enablePositionalOptions();
  return program;
}
