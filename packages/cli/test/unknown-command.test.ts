import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('a mistyped command', () => {
  // A real process: the exit status is the point (commander alone prints the top-level help and exits 0).
  it('fails, naming the command and the ones that exist, even with --help', () => {
    const r = run('no-such-command', '--help');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    expect(r.stderr).toContain('demo, coordinator, participant');
    expect(r.stdout).toBe('');
  });

  it('suggests the nearest command (tessera particpant --help, tessera dmeo), and none when nothing is near', () => {
    const products = run('xylophone', '--help');
    expect(products.status).toBe(1);
    expect(products.stdout).toBe('');
    expect(products.stderr).not.toContain('did you mean');
    const participant = run('particpant', '--help');
    expect(participant.status).toBe(1);
    expect(participant.stdout).toBe('');
    expect(participant.stderr).toContain("did you mean 'participant'?");
    const demo = run('dmeo');
    expect(demo.status).toBe(1);
    expect(demo.stderr).toContain("did you mean 'demo'?");
  });

  it('refuses a mistyped subcommand even with --help, suggesting the right one', () => {
    const r = run('job', 'sumbit', '--help');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'sumbit' (did you mean 'submit'?)");
    expect(r.stderr).toContain('tessera job --help');
  });

  it('refuses a mistyped option with a suggestion', () => {
    const r = run('demo', '--particpants', '3');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown option '--particpants'");
    expect(r.stderr).toContain('--participants');
  });

  it('still shows help for a real subcommand', () => {
    const r = run('job', 'submit', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: tessera job submit');
  });
});
