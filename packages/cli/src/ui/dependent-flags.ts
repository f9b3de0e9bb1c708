/** Refuses flags that do nothing without differential privacy, instead of silently running without it. */
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** Whether the user gave this option (on the command line or from the environment), not its default. */
function given(cmd: Command, option: string): boolean {
  const source = cmd.getOptionValueSource(option);
  return source !== undefined && source !== 'default';
}

const flagOf = (option: string): string => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * With differential privacy off (`dp` is 'none'), throws a UsageError naming the first of `options` that was given,
 * why it does nothing, and the fix (`fix` is followed by the flag). `why` says what turned privacy off, e.g.
 * "--dp is none (the default)".
 */
export function refuseWithoutPrivacy(
  cmd: Command,
  dp: string,
  options: string[],
  why: string,
  fix = 'add --dp distributed (or central, local), or leave out',
): void {
  if (dp !== 'none') return;
  const option = options.find((o) => given(cmd, o));
  if (option === undefined) return;
  const flag = flagOf(option);
  throw new UsageError(
    `${flag} sets differential privacy, but ${why}, so ${flag} would do nothing and the run would have no privacy: ` +
      `${fix} ${flag}`,
  );
}
