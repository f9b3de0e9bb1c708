import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('a mistyped command', () => {
  // A real process: the exit status is the point (commander alone prints the top-level help and exits 0).
  it('fails, naming the command and the ones that exist, even with --help', () => {
    const r = spawnSync(process.execPath, [bin, 'no-such-command', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    expect(r.stderr).toContain('demo, coordinator, participant');
    expect(r.stdout).toBe('');
  });
});
