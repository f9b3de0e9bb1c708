import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tessera/test-support';
import { PrivacyLedger } from '../src/privacy/privacy-ledger.js';

// The ledger says what the node's data was used for: only the node's owner may read it.
describe.skipIf(process.platform === 'win32')("the participant's ledger file", () => {
  let tmp: ReturnType<typeof tempDir>;
  afterEach(() => tmp.cleanup());

  it('is created 0600, and an existing one that others can read is tightened when opened', () => {
    tmp = tempDir('tessera-ledger-');
    const fresh = join(tmp.dir, 'fresh-ledger.sqlite');
    new PrivacyLedger(fresh).close();
    expect(statSync(fresh).mode & 0o777).toBe(0o600);

    const old = join(tmp.dir, 'old-ledger.sqlite');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    new PrivacyLedger(old).close();
    expect(statSync(old).mode & 0o777).toBe(0o600);
  });
});
