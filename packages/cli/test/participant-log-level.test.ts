// `participant start --log-level`: an unknown level is refused before anything starts, naming the levels.
import { describe, expect, it } from 'vitest';
import { runCli } from './in-process.js';

describe('participant start --log-level', () => {
  it('refuses a level it does not know, naming warn, info and debug', async () => {
    const r = await runCli(['participant', 'start', '--config', 'no-such-config.yaml', '--log-level', 'loud']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--log-level loud: choose one of warn, info, debug');
  });

  it('documents the levels in the help', async () => {
    const r = await runCli(['participant', 'start', '--help']);
    expect(r.stdout).toMatch(/--log-level <level>\s+warn: problems only; info: also connect, reconnect/);
  });
});
