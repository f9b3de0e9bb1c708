import { buildProgram } from './program.js';
import { reportError, UsageError } from './ui/errors.js';

const program = buildProgram();

/**
 * Commander prints the top-level help and exits 0 for `tessera no-such-command --help`; a script that
 * mistypes a command must see it fail, so an unknown first word is refused before parsing.
 */
function checkCommandName(argv: readonly string[]): void {
  const first = argv[2];
  if (first === undefined || first.startsWith('-') || first === 'help') return;
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (!known.includes(first))
    throw new UsageError(`unknown command '${first}'; the commands are ${known.join(', ')} (see tessera --help)`);
}

Promise.resolve()
  .then(() => {
    checkCommandName(process.argv);
    return program.parseAsync(process.argv);
  })
  .catch((e: unknown) => {
    reportError(e);
    process.exitCode = process.exitCode || 1;
  });
