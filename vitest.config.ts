import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const at = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Tests import workspace packages from their TypeScript sources, so unit tests need no build.
// Tests that spawn the `tessera` binary use the built output (npm test builds first).
export default defineConfig({
  resolve: {
    alias: {
      '@tessera/crypto': at('./packages/crypto/src/index.ts'),
      '@tessera/ml': at('./packages/ml/src/index.ts'),
      '@tessera/fl': at('./packages/fl/src/index.ts'),
      '@tessera/data': at('./packages/data/src/index.ts'),
      '@tessera/secagg': at('./packages/secagg/src/index.ts'),
      '@tessera/dp': at('./packages/dp/src/index.ts'),
      '@tessera/he': at('./packages/he/src/index.ts'),
      '@tessera/analytics': at('./packages/analytics/src/index.ts'),
      '@tessera/psi': at('./packages/psi/src/index.ts'),
      '@tessera/payouts': at('./packages/payouts/src/index.ts'),
      '@tessera/jobs': at('./packages/jobs/src/index.ts'),
      '@tessera/client': at('./packages/client/src/index.ts'),
      '@tessera/sdk': at('./packages/sdk/src/index.ts'),
      '@tessera/coordinator': at('./coordinator/src/index.ts'),
      // A subpath before its package: the first alias that matches wins.
      '@tessera/participant/defaults': at('./participant/src/defaults.ts'),
      '@tessera/participant': at('./participant/src/index.ts'),
      '@tessera/proto': at('./proto/src/index.ts'),
    },
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // `npm test` runs the default project; `npm run test:slow` the cases that take long on their own
    // (scale runs, multi-process CLI workflows covered in process by default tests). CI runs both.
    projects: [
      { extends: true, test: { name: 'default', include: ['**/test/**/*.test.ts'], exclude: ['**/node_modules/**', '**/dist/**', '**/*.slow.test.ts'] } },
      { extends: true, test: { name: 'slow', include: ['**/test/**/*.slow.test.ts'] } },
    ],
  },
});
