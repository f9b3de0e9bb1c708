// The CLI without devDependencies (npm install --omit=dev): every command module loads and every
// command prints its help, and `tessera bench` says how to install the benchmarks. Child processes
// run the built CLI (dist/) under module hooks (no-dev-deps/hooks.mjs) that make unavailable every
// package declared in a devDependencies of the root or a workspace, every package the lock file marks
// dev-only, and the private bench workspace (@tessera/bench) with the packages only it depends on
// (paillier-bigint), reached by name or by path.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { BIN, requireBuild } from './cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOOKS = fileURLToPath(new URL('./no-dev-deps/register.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./no-dev-deps/load-commands.mjs', import.meta.url));

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
}
const manifest = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;

/** What `npm install --omit=dev` leaves out, and the bench workspace with what only it needs. */
function unavailablePackages(): string[] {
  const root = manifest('.');
  const workspaces = (root.workspaces ?? []).map(manifest);
  const declared = [root, ...workspaces].flatMap((m) => Object.keys(m.devDependencies ?? {}));
  const bench = workspaces.find((m) => m.name === '@tessera/bench');
  const needed = new Set(workspaces.filter((m) => m !== bench).flatMap((m) => Object.keys(m.dependencies ?? {})));
  const benchOnly = Object.keys(bench?.dependencies ?? {}).filter((d) => !d.startsWith('@tessera/') && !needed.has(d));
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const devOnly = Object.entries(lock.packages)
    .filter(([path, p]) => p.dev && path.includes('node_modules/'))
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  // A devDependency of one workspace that another lists under dependencies stays installed.
  const installed = new Set([root, ...workspaces].flatMap((m) => Object.keys(m.dependencies ?? {})));
  const dropped = declared.filter((d) => !installed.has(d));
  return [...new Set([...dropped, ...devOnly, '@tessera/bench', ...benchOnly])].sort();
}

const packages = unavailablePackages();
const env = {
  ...process.env,
  TESSERA_UNAVAILABLE: JSON.stringify({ packages, dirs: [`${pathToFileURL(join(ROOT, 'bench')).href}/`] }),
};
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(HOOKS).href, ...args], {
    encoding: 'utf8',
    env,
    cwd: ROOT,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const { dir: tmp, cleanup } = tempDir('tessera-no-dev-deps-');
afterAll(cleanup);

describe('the CLI with devDependencies unavailable', () => {
  requireBuild();

  it('makes the devDependencies and the bench unavailable', () => {
    for (const name of ['typescript', 'vitest', 'paillier-bigint', 'playwright-core', '@tessera/bench'])
      expect(packages).toContain(name);
    expect(packages).not.toContain('commander');
  });

  it('loads every command module and prints the help of every command', () => {
    const r = run([LOAD]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      modules: string[];
      commands: string[];
      usage: number;
      unavailable: { name: string; code: string }[];
    };
    expect(out.modules).toEqual(
      expect.arrayContaining(['commands/bench.js', 'commands/job.js', 'commands/participant.js', 'commands/demo.js']),
    );
    expect(out.modules.length).toBeGreaterThanOrEqual(15);
    expect(out.commands).toEqual(
      expect.arrayContaining([
        'tessera job submit',
        'tessera bench secagg',
        'tessera bench he',
        'tessera participant init',
      ]),
    );
    expect(out.usage).toBe(out.commands.length);
    // The hooks did their job: not one of the packages could be imported.
    expect(out.unavailable.filter((u) => u.code !== 'ERR_MODULE_NOT_FOUND')).toEqual([]);
    expect(out.unavailable.map((u) => u.name)).toEqual(packages);
  });

  it('fails when a module imports a devDependency as it loads', () => {
    const probe = join(tmp, 'imports-a-dev-dependency.mjs');
    writeFileSync(probe, "import 'paillier-bigint';\nexport const loaded = true;\n");
    const r = run([LOAD, pathToFileURL(probe).href]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Cannot find package 'paillier-bigint'/);
  });

  it('runs tessera job --help', () => {
    const r = run([BIN, 'job', '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tessera job/);
    expect(r.stdout).toMatch(/submit \[options\] <spec>/);
  });

  it('exits 1 from tessera bench, saying how to install the benchmarks', () => {
    const r = run([BIN, 'bench', 'secagg', '--participants', '3', '--dim', '10', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: tessera bench needs the benchmarks \(@tessera\/bench, .*\).*npm install/s);
  });
});
