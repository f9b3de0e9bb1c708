import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so unit tests need no build.
// Tests that spawn the `tessera` binary use the built output (npm test builds first).
// The package -> source map is tsconfig.test.json's `paths`, which `npm run typecheck` uses to
// type-check the tests against the same sources: add a package (or a subpath) there. A subpath
// comes before its package: the first alias that matches wins.
const { compilerOptions } = JSON.parse(readFileSync(at('./tsconfig.test.json'), 'utf8')) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const alias = Object.fromEntries(Object.entries(compilerOptions.paths).map(([name, [source]]) => [name, at(source)]));

const SLOW = '**/*.slow.test.ts';

export default defineConfig({
  resolve: { alias },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `npm test` runs the default project; `npm run test:slow` the cases that take long on their own
    // (scale runs, soak tests, multi-process CLI workflows covered in process by default tests). CI runs both.
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['**/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', SLOW],
          // The test files share one module graph per worker: loading the workspaces' sources once
          // instead of once per file more than halves the suite's wall time. So a test must not rely on
          // a module being fresh (take a fresh copy with vi.resetModules(), as psi's ready.test.ts does)
          // and must restore any global it changes (process.env, process.exitCode, stdout: see
          // packages/cli/test/in-process.ts). The files pass in shuffled order (--sequence.shuffle.files).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: ['**/test/**/*.slow.test.ts'], exclude: ['**/node_modules/**', '**/dist/**'] },
      },
    ],
  },
});
