// Runs examples/tfjs/federate-a-layers-model.mjs as a user would (node, against the built packages: npm test builds
// first) and checks that federated averaging over the LayersModel's flat parameters learns the digits.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('../federate-a-layers-model.mjs', import.meta.url));

describe('examples/tfjs', () => {
  it('federates a LayersModel across 3 in-process participants and reaches a held-out accuracy >= 0.85', () => {
    const r = spawnSync(process.execPath, [EXAMPLE], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const rounds = [...r.stdout.matchAll(/^round (\d+): held-out accuracy ([0-9.]+)$/gm)];
    expect(rounds.map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const final = Number(/^final accuracy ([0-9.]+) on \d+ held-out rows$/m.exec(r.stdout)?.[1]);
    expect(final).toBeGreaterThanOrEqual(0.85);
    expect(final).toBeGreaterThan(Number(rounds[0]![2]));
    expect(r.stderr).not.toMatch(/tfjs-node/); // production mode keeps tfjs's banner out
  });
});
