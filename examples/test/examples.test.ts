import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseJobSpec, JOB_SPEC_DEFAULTS } from '@tessera/coordinator';
import { parseParticipantConfig } from '@tessera/participant';

const at = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

describe('examples', () => {
  it('the SDK quickstart runs and reports a held-out AUC', () => {
    const r = spawnSync(process.execPath, [at('sdk/quickstart.mjs')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/job job-[0-9a-f]+: completed/);
    const auc = Number(/held-out AUC ([0-9.]+)/.exec(r.stdout)![1]);
    expect(auc).toBeGreaterThan(0.95);
  });

  it('the example job spec is valid and documents the defaults', () => {
    const spec = parseJobSpec(parse(readFileSync(at('jobs/repurchase.yaml'), 'utf8')));
    expect(spec.rounds).toBe(JOB_SPEC_DEFAULTS.rounds);
    expect(spec.local).toEqual(JOB_SPEC_DEFAULTS.local);
    expect(spec.minParticipants).toBe(JOB_SPEC_DEFAULTS.minParticipants);
  });

  it('the example participant config is valid', () => {
    const c = parseParticipantConfig(parse(readFileSync(at('participant.example.yaml'), 'utf8')), 'participant.example.yaml', '/srv');
    expect(Object.keys(c.datasets)).toEqual(['customers', 'orders']);
  });
});
