// The published packages work outside the workspace (issue 16): `npm pack` every public workspace, install the
// tarballs into an empty project in the system's temporary directory (no workspace, no links into the checkout),
// and run the SDK quickstart and the `tessera` command from there. Needs a build (`npm run test:slow` builds first)
// and the npm registry for the third-party dependencies (or an npm cache that holds them).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  workspaces?: string[];
  allowScripts?: Record<string, boolean>;
}
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
const root = manifestOf('.');
const published = (root.workspaces ?? []).map(manifestOf).filter((m) => !m.private);

// Children run npm outside the checkout: `npm run` exports npm_config_* and npm_package_* variables (among them
// the checkout as local prefix), which would make them act on the workspace instead.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

function run(command: string, args: string[], cwd: string, timeout: number) {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const shown = [command, ...args.slice(0, 3)].map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' ');
  console.log(`${shown}${args.length > 3 ? ' ...' : ''}: exit ${r.status}, ${seconds} s`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

/** Every symbolic link under `dir` (not following links), with the path it resolves to. */
function symlinksUnder(dir: string): { link: string; target: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) return [{ link: path, target: realpathSync(path) }];
    return entry.isDirectory() ? symlinksUnder(path) : [];
  });
}

const { dir: tmp, cleanup } = tempDir('tessera-npm-pack-');
afterAll(cleanup);
const tarballs = join(tmp, 'tarballs');
const app = join(tmp, 'app');

describe('npm pack tarballs installed outside the workspace', () => {
  it('install, run the SDK quickstart and tessera --help', { timeout: 10 * 60_000 }, () => {
    expect(published.map((m) => m.name)).toEqual(expect.arrayContaining(['@tessera/sdk', '@tessera/cli']));
    expect(published.map((m) => m.name)).not.toContain('@tessera/bench');
    expect(existsSync(join(ROOT, 'packages/cli/dist/bin.js')), 'build first: npm run build').toBe(true);
    expect(realpathSync(tmp).startsWith(`${ROOT}/`)).toBe(false);

    // 1. One tarball per published workspace.
    console.log(`packing ${published.length} workspaces into ${tarballs}`);
    mkdirSync(tarballs, { recursive: true });
    const packArgs = ['pack', '--json', '--pack-destination', tarballs, ...published.flatMap((m) => ['-w', m.name])];
    const pack = run('npm', packArgs, ROOT, 3 * 60_000);
    expect(pack.code, pack.stderr).toBe(0);
    const packed = JSON.parse(pack.stdout) as {
      name: string;
      filename: string;
      size: number;
      files: { path: string }[];
    }[];
    expect(packed.map((p) => p.name).sort()).toEqual(published.map((m) => m.name).sort());
    for (const p of packed) {
      console.log(`  ${p.filename}: ${(p.size / 1024).toFixed(1)} kB, ${p.files.length} files`);
      const paths = p.files.map((f) => f.path);
      expect(paths, p.name).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md']));
      expect(
        paths.some((f) => f.endsWith('.tsbuildinfo') || f.endsWith('.map') || f.startsWith('src/')),
        p.name,
      ).toBe(false);
    }

    // 2. An empty project outside the checkout, allowing the same install scripts as the workspace root.
    mkdirSync(app);
    const appManifest = { name: 'app', private: true, type: 'module', allowScripts: root.allowScripts };
    writeFileSync(join(app, 'package.json'), `${JSON.stringify(appManifest, null, 2)}\n`);
    console.log(`installing the tarballs into ${app}`);
    const files = packed.map((p) => join(tarballs, p.filename));
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files], app, 8 * 60_000);
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);

    // The packages are installed copies, not links into the checkout.
    const intoCheckout = symlinksUnder(join(app, 'node_modules')).filter(
      (s) => s.target === ROOT || s.target.startsWith(`${ROOT}/`),
    );
    expect(intoCheckout).toEqual([]);
    for (const m of published) {
      const dir = join(app, 'node_modules', ...m.name.split('/'));
      expect(lstatSync(dir).isDirectory(), m.name).toBe(true);
      expect((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).version).toBe(m.version);
    }

    // Every package loads from the app with only what its tarball and its dependencies brought.
    const names = JSON.stringify(published.map((m) => m.name));
    const load = `for (const n of ${names}) { const m = await import(n); if (!Object.keys(m).length) throw n; }`;
    const loaded = run(process.execPath, ['--input-type=module', '-e', load], app, 60_000);
    expect(loaded.code, loaded.stderr).toBe(0);

    // 3. The SDK quickstart, laid out as in the repository (it reads ../data/breast_cancer.csv).
    mkdirSync(join(app, 'sdk'));
    mkdirSync(join(app, 'data'));
    copyFileSync(join(ROOT, 'examples/sdk/quickstart.mjs'), join(app, 'sdk/quickstart.mjs'));
    copyFileSync(join(ROOT, 'examples/data/breast_cancer.csv'), join(app, 'data/breast_cancer.csv'));
    console.log('running the SDK quickstart');
    const quickstart = run(process.execPath, ['sdk/quickstart.mjs'], app, 3 * 60_000);
    expect(quickstart.code, `${quickstart.stdout}\n${quickstart.stderr}`).toBe(0);
    expect(quickstart.stdout).toMatch(/^\[5\/5\] round 5\/5 completed/m);
    expect(quickstart.stdout).toMatch(/^job \S+: completed$/m);
    const scored = /^held-out AUC (\d\.\d{4}), accuracy (\d\.\d{4})$/m.exec(quickstart.stdout);
    expect(scored, quickstart.stdout).not.toBeNull();
    expect(Number(scored?.[1])).toBeGreaterThan(0.9);
    expect(Number(scored?.[2])).toBeGreaterThan(0.85);

    // 4. The tessera command, linked by npm from the CLI's bin.
    const tessera = join(app, 'node_modules', '.bin', 'tessera');
    expect(realpathSync(tessera)).toBe(join(realpathSync(app), 'node_modules/@tessera/cli/bin/tessera.js'));
    const help = run(tessera, ['--help'], app, 60_000);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tessera \[options\] \[command\]/);
    expect(help.stdout).toMatch(/^\s+participant\b/m);
    expect(help.stdout).toMatch(/^\s+job\b/m);
    const privacyArgs = ['privacy', 'gaussian', '--epsilon', '1', '--delta', '1e-6', '--json'];
    const gaussian = run(tessera, privacyArgs, app, 60_000);
    expect(gaussian.code, gaussian.stderr).toBe(0);
    const { sigma } = JSON.parse(gaussian.stdout) as { sigma: number };
    // The analytic Gaussian mechanism (Balle and Wang 2018) for epsilon 1, delta 1e-6, sensitivity 1.
    expect(sigma).toBeGreaterThan(4.2);
    expect(sigma).toBeLessThan(4.25);
  });
});
