import { buildProgram } from './program.js';
import { reportError } from './ui/errors.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    reportError(e);
    process.exitCode = process.exitCode || 1;
  });
