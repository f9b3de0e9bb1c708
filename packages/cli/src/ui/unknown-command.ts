// Refuses a mistyped command or subcommand before commander parses, with the nearest name as a suggestion.
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** Edit distance between two short words, counting a swap of neighbouring letters as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known name closest to `word`, if it is close enough to be a likely typo (or `word` is a prefix of it). */
export function suggestName(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = name.startsWith(word) && word.length >= 2 ? 1 : distance(word, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor((best?.length ?? 0) / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Commander prints the parent's help and exits 0 for `tessera no-such-command --help` or `tessera job sumbit --help`;
 * a script that mistypes a command must see it fail. Walks the leading command words of `argv` (stopping at the
 * first option or at a command that takes arguments) and throws a UsageError for a word that is no subcommand.
 */
export function checkCommandPath(program: Command, argv: readonly string[]): void {
  let command = program;
  const path: string[] = ['tessera'];
  for (const word of argv.slice(2)) {
    if (word.startsWith('-') || word === 'help') return;
    if (command.commands.length === 0 || command.registeredArguments.length > 0) return;
    const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (next === undefined) {
      const known = command.commands.flatMap((c) => [c.name(), ...c.aliases()]);
      const suggestion = suggestName(word, known);
      const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
      const where = path.join(' ');
      throw new UsageError(
        `unknown command '${word}'${hint}; the commands of ${where} are ${known.join(', ')} (see ${where} --help)`,
      );
    }
    command = next;
    path.push(word);
  }
}
