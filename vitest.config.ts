import { defineConfig } from 'vitest/config';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so unit tests need no build.
// Tests that spawn the `tessera` binary use the built output (npm test builds first).
// The package -> source map is tsconfig.test.json's `paths`, which `npm run typecheck` uses to
// type-check the tests against the same sources: add a package (or a subpath) there. A subpath
// comes before its package: the first alias that matches wins.
const { compilerOptions } = JSON.parse(readFileSync(at('./tsconfig.test.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
const alias = Object.fromEntries(Object.entries(compilerOptions.paths).map(([name, [source]]) => [name, at(source)]));

/**
 * Library workspaces: pure functions over their inputs, no servers, no processes, no global state a
 * test relies on being fresh. Their test files share one module graph per worker (isolate: false),
 * which saves a process start and an import of the graph per file (about half their wall time).
 */
const LIBRARIES = ['crypto', 'ml', 'fl', 'data', 'secagg', 'dp', 'he', 'analytics', 'psi', 'payouts', 'jobs'].map((p) => `packages/${p}/test/**`);
const SLOW = '**/*.slow.test.ts';

export default defineConfig({
  resolve: { alias },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `npm test` runs the libraries and default projects; `npm run test:slow` the cases that take long
    // on their own (scale runs, soak tests, multi-process CLI workflows covered in process by default
    // tests). CI runs both.
    projects: [
      { extends: true, test: { name: 'libraries', include: LIBRARIES.map((d) => `${d}/*.test.ts`), exclude: [SLOW], isolate: false } },
      { extends: true, test: { name: 'default', include: ['**/test/**/*.test.ts'], exclude: ['**/node_modules/**', '**/dist/**', SLOW, ...LIBRARIES] } },
      { extends: true, test: { name: 'slow', include: ['**/test/**/*.slow.test.ts'], exclude: ['**/node_modules/**', '**/dist/**'] } },
    ],
  },
});
