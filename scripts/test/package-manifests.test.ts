// Every workspace is ready to publish (issue 16): a new package cannot forget its repository, its files, its README
// or its licence. Only the benchmarks (bench) stay private. scripts/test/npm-pack.slow.test.ts packs and installs them.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PRIVATE = ['bench'];
const REPOSITORY = 'git+https://github.com/tessera-fl/tessera.git';

interface Manifest {
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  private?: boolean;
  type?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: { node?: string };
  main?: string;
  types?: string;
  exports?: Record<string, { types?: string; default?: string }>;
  bin?: Record<string, string>;
  files?: string[];
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  workspaces?: string[];
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
const root = manifestOf('.');
const workspaces = root.workspaces ?? [];
const published = workspaces.filter((w) => !PRIVATE.includes(w));

/** What is wrong with a published workspace's manifest and directory, one sentence each. */
function problemsOf(dir: string): string[] {
  const m = manifestOf(dir);
  const problems: string[] = [];
  const want = (ok: unknown, what: string) => {
    if (!ok) problems.push(`${dir}/package.json: ${what}`);
  };
  want(m.name?.startsWith('@tessera/'), `name must be @tessera/<something>, got ${m.name}`);
  want(m.version === root.version, `version must be the root's ${root.version}, got ${m.version}`);
  want(m.description && m.description.length >= 20, 'add a description (a sentence about what the package is for)');
  want(m.license === 'Apache-2.0', `license must be Apache-2.0, got ${m.license}`);
  want(m.private === undefined, 'remove "private": true (only bench stays private)');
  want(m.type === 'module', 'type must be "module"');
  want(
    m.repository?.type === 'git' && m.repository.url === REPOSITORY && m.repository.directory === dir,
    `repository must be {"type": "git", "url": "${REPOSITORY}", "directory": "${dir}"}`,
  );
  want(m.engines?.node === root.engines?.node, `engines.node must be the root's "${root.engines?.node}"`);
  want(m.publishConfig?.access === 'public', 'publishConfig must be {"access": "public"} (a scoped package)');
  want(m.types?.startsWith('./dist/'), 'types must point into ./dist/');
  const main = m.exports?.['.'];
  want(main?.types?.startsWith('./dist/') && main.default?.startsWith('./dist/'), 'exports["."] needs types+default');
  want(main?.types === m.types, `exports["."].types (${main?.types}) must equal types (${m.types})`);
  for (const [path, target] of Object.entries(m.exports ?? {}))
    want(target.default?.startsWith('./dist/'), `exports["${path}"].default must point into ./dist/`);
  want(m.files?.includes('dist'), 'files must list "dist"');
  for (const bin of Object.values(m.bin ?? {})) {
    const top = bin.replace(/^\.\//, '').split('/')[0];
    want(m.files?.includes(top ?? ''), `files must list "${top}" (the bin ${bin} is in it)`);
  }
  for (const file of ['README.md', 'LICENSE'])
    if (!existsSync(join(ROOT, dir, file))) problems.push(`${dir}: add ${file} (npm includes it in the tarball)`);
  for (const [dep, range] of Object.entries(m.dependencies ?? {}))
    if (dep.startsWith('@tessera/'))
      want(range === root.version, `dependency ${dep} must be the exact version ${root.version}, got ${range}`);
  return problems;
}

describe('workspace package manifests', () => {
  it('publish every workspace but bench, with the fields a registry and its users need', () => {
    expect(published.length).toBeGreaterThanOrEqual(18);
    expect(published).toEqual(expect.arrayContaining(['packages/sdk', 'packages/cli', 'packages/client', 'proto']));
    expect(published.flatMap(problemsOf)).toEqual([]);
  });

  it('keep bench private', () => {
    for (const dir of PRIVATE) expect(manifestOf(dir).private, dir).toBe(true);
  });

  it('name the files a package reads at run time: the protocol sources and the tessera command', () => {
    expect(manifestOf('proto').files).toContain('tessera');
    expect(manifestOf('packages/cli').bin).toEqual({ tessera: './bin/tessera.js' });
    expect(existsSync(join(ROOT, 'packages/cli/bin/tessera.js'))).toBe(true);
  });

  it('finds what is missing in a manifest', () => {
    // The check itself: a workspace made private, with no repository, is refused with what to change.
    const problems = problemsOf('bench');
    expect(problems).toEqual(
      expect.arrayContaining([
        'bench/package.json: remove "private": true (only bench stays private)',
        expect.stringMatching(/^bench\/package\.json: repository must be /),
        'bench/package.json: files must list "dist"',
        'bench: add LICENSE (npm includes it in the tarball)',
      ]),
    );
  });
});
