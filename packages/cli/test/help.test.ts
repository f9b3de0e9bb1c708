import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';
import { requireBuild, tessera } from './cli.js';
import { commandsOf, runCli } from './in-process.js';

/** Commands the README and docs/cli.md walk through: a missing one is a regression, not a smaller tree. */
const DOCUMENTED = [
  [],
  ['demo'],
  ['coordinator', 'start'],
  ['coordinator', 'enroll'],
  ['participant', 'init'],
  ['participant', 'start'],
  ['job', 'submit'],
  ['job', 'attach'],
  ['keys', 'create'],
  ['job', 'watch'],
  ['job', 'list'],
  ['job', 'get'],
  ['job', 'cancel'],
  ['job', 'result'],
  ['model', 'score'],
  ['privacy', 'epsilon'],
  ['privacy', 'noise'],
  ['privacy', 'gaussian'],
  ['privacy', 'zcdp'],
];

describe('tessera --help (in process, through buildProgram)', () => {
  const all = commandsOf(buildProgram());

  it('has every documented command', () => {
    const names = new Set(all.map((c) => c.path.join(' ')));
    for (const path of DOCUMENTED) expect(names.has(path.join(' ')), `tessera ${path.join(' ')}`).toBe(true);
  });

  it('gives every command --help with examples; a command group lists its subcommands', async () => {
    expect(all.length).toBeGreaterThan(DOCUMENTED.length);
    for (const { path, command } of all) {
      const name = `tessera ${path.join(' ')}`.trim();
      const r = await runCli([...path, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stderr, name).toBe('');
      const leaf = command.commands.length === 0;
      if (leaf || path.length === 0) expect(r.stdout, name).toMatch(/Examples:\n\s+\$ tessera/);
      for (const sub of command.commands) expect(r.stdout, name).toMatch(new RegExp(`^\\s+${sub.name()}\\b`, 'm'));
    }
  });

  it('an unknown command or option is refused with exit code 1 and a hint', async () => {
    const r = await runCli(['jbo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'jbo'\n\(Did you mean job\?\)/);
    const o = await runCli(['privacy', 'gaussian', '--epsilon', '1', '--delta', '1e-6', '--epsilom', '1']);
    expect(o.code).toBe(1);
    expect(o.stderr).toMatch(/unknown option '--epsilom'[\s\S]*run with --help/);
  });
});

describe('tessera --help (a real process: exit codes and output streams)', () => {
  it('prints help on stdout and exits 0; an unknown command exits 1 with the error on stderr', () => {
    requireBuild();
    const help = tessera(['job', 'submit', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n\s+\$ tessera job submit/);
    expect(help.stderr).toBe('');
    const bad = tessera(['jbo']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/unknown command 'jbo'/);
  });
});
