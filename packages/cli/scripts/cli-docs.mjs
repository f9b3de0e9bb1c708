// Writes docs/cli.md from the built CLI's own --help texts.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/program.js';
import { cliReference } from '../dist/cli-reference.js';

const target = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
writeFileSync(target, cliReference(buildProgram()));
console.log(`wrote ${target}`);
