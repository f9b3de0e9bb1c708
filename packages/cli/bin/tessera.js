#!/usr/bin/env node
// The `tessera` command. This file is committed (not built) so that npm links the command on a
// fresh install, before the TypeScript build has produced dist/.
import('../dist/bin.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bin.js')) {
    process.stderr.write('tessera is not built yet: run `npm install` (or `npm run build`) in the Tessera checkout\n');
    process.exit(1);
  }
  throw e;
});
