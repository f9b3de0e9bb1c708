import { buildProgram } from './program.js';
import { reportError } from './ui/errors.js';
import { checkCommandPath } from './ui/unknown-command.js';

const program = buildProgram();

Promise.resolve()
  .then(() => {
    checkCommandPath(program, process.argv);
    return program.parseAsync(process.argv);
  })
  .catch((e: unknown) => {
    reportError(e);
    process.exitCode = process.exitCode || 1;
  });
