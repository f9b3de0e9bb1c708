// The recorder of the oracle cases (see README.md): the repository's test config plus record-setup.ts.
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../../../vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({ test: { setupFiles: [new URL('./record-setup.ts', import.meta.url).pathname] } }),
);
