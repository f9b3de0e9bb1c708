import type { Command } from 'commander';

/** The CLI reference in Markdown, generated from the commands' own help so it cannot drift. */
export function cliReference(program: Command): string {
  const out = [
    '# `tessera` command reference',
    '',
    'Generated from `tessera <command> --help` by `npm run docs:cli -w @tessera/cli`; do not edit by hand.',
    '',
  ];
  const walk = (cmd: Command, path: string[]) => {
    const name = [...path, cmd.name()].join(' ');
    const help = captureHelp(cmd);
    if (path.length > 0)
      out.push(`${'#'.repeat(Math.min(path.length + 1, 4))} \`${name}\``, '', '```text', help.trimEnd(), '```', '');
    for (const sub of cmd.commands) walk(sub, [...path, cmd.name()]);
  };
  walk(program, []);
  return `${out.join('\n').trimEnd()}\n`;
}

function captureHelp(cmd: Command): string {
  let text = '';
  cmd.configureOutput({
    writeOut: (s) => {
      text += s;
    },
    getOutHelpWidth: () => 80,
    getOutHasColors: () => false,
  });
  cmd.outputHelp();
  return text;
}
