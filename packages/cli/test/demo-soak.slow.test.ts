import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBuild } from './cli.js';

const SOAK = fileURLToPath(new URL('../scripts/demo-soak.mjs', import.meta.url));

/**
 * Issue 19: the 40-participant demo once sat idle for 12 minutes (a participant's readiness posted before anyone
 * listened). Five runs in a row here, each under a timeout; `npm run soak -w @tessera/cli` runs twenty.
 */
describe('the demo soak', () => {
  it(
    'runs the 40-participant plaintext demo 5 times in a row, none failing or hanging',
    () => {
      requireBuild();
      const r = spawnSync(process.execPath, [SOAK, '--runs', '5', '--timeout', '120', '--json'], {
        encoding: 'utf8',
        timeout: 11 * 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const summary = JSON.parse(r.stdout) as { runs: number; ok: number; failed: number[]; hung: unknown[] };
      expect(summary).toMatchObject({ runs: 5, ok: 5, failed: [], hung: [] });
      // Each run said how far it was: one progress line per run on the soak's stderr.
      expect(r.stderr.match(/^run \d\/5: ok in [\d.]+ s$/gm)).toHaveLength(5);
    },
    12 * 60_000,
  );
});
