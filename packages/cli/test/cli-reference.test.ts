import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../src/program.js';
import { cliReference } from '../src/cli-reference.js';

describe('docs/cli.md', () => {
  it('is the current help of every command (regenerate with npm run docs:cli -w @tessera/cli)', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
    expect(doc).toBe(cliReference(buildProgram()));
  });
});
