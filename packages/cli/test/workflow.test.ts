import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../sdk/test/helpers.js';
import { runCli } from './in-process.js';

/** The CLI's own checks on a job spec; the end-to-end deployment path is workflow.slow.test.ts. */
describe('tessera job submit: spec checks', () => {
  const tmp = tempDir('tessera-cli-');
  afterAll(() => tmp.cleanup());

  it('refuses an invalid job spec, naming the field, before contacting anyone', async () => {
    const spec = join(tmp.dir, 'bad.yaml');
    writeFileSync(spec, 'dataset: patients\nlabel: benign\nrounds: 0\n');
    const r = await runCli(['job', 'submit', spec, '--coordinator', '127.0.0.1:1']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.yaml: job spec: rounds: must be at least 1, got 0/);
    writeFileSync(spec, 'dataset: patients\nlabel: benign\nrouns: 3\n');
    expect((await runCli(['job', 'submit', spec])).stderr).toMatch(/rouns: unknown field \(did you mean "rounds"\?\)/);
  });
  // Every command's --help: help.test.ts, in process.
});
