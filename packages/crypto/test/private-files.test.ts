import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tessera/test-support';
import {
  LoosePermissionsError,
  loadOrCreateSigningKeyPair,
  loadSigningKeyPair,
  makePrivateDatabaseFile,
  makePrivateDirectory,
  readSecretFile,
} from '../src/index.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

// File modes are POSIX; on Windows the checks are skipped (see private-files.ts).
describe.skipIf(process.platform === 'win32')('owner-only files', () => {
  let tmp: ReturnType<typeof tempDir>;
  afterEach(() => tmp.cleanup());

  it('reads a 0600 secret file and refuses one that group or others can access, naming the fix', () => {
    tmp = tempDir('tessera-secret-');
    const path = join(tmp.dir, 'secret');
    writeFileSync(path, 'hush\n', { mode: 0o600 });
    expect(readSecretFile(path)).toBe('hush\n');
    for (const loose of [0o644, 0o640, 0o604, 0o620]) {
      chmodSync(path, loose);
      let error: unknown;
      try {
        readSecretFile(path);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LoosePermissionsError);
      expect((error as LoosePermissionsError).code).toBe('loose-permissions');
      expect((error as Error).message).toContain(`run chmod 600 ${path}`);
      expect((error as Error).message).toContain(`(mode 0${loose.toString(8)})`);
    }
  });

  it('refuses an identity key file that other users can read, and loads it again once tightened', () => {
    tmp = tempDir('tessera-secret-');
    const path = join(tmp.dir, 'keys', 'identity.key');
    const pair = loadOrCreateSigningKeyPair(path);
    expect(modeOf(join(tmp.dir, 'keys'))).toBe(0o700);
    chmodSync(path, 0o644);
    expect(() => loadSigningKeyPair(path)).toThrow(`run chmod 600 ${path}`);
    expect(() => loadOrCreateSigningKeyPair(path)).toThrow(LoosePermissionsError);
    chmodSync(path, 0o600);
    expect(loadSigningKeyPair(path).publicKey).toEqual(pair.publicKey);
  });

  it('creates private directories 0700 with their parents, and leaves an existing directory as it is', () => {
    tmp = tempDir('tessera-secret-');
    const nested = join(tmp.dir, 'a', 'b');
    makePrivateDirectory(nested);
    expect(modeOf(join(tmp.dir, 'a'))).toBe(0o700);
    expect(modeOf(nested)).toBe(0o700);
    const shared = join(tmp.dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    makePrivateDirectory(shared);
    expect(modeOf(shared)).toBe(0o755);
  });

  it('creates a database file 0600 and tightens an existing one and its companions', () => {
    tmp = tempDir('tessera-secret-');
    const fresh = join(tmp.dir, 'fresh.sqlite');
    makePrivateDatabaseFile(fresh);
    expect(existsSync(fresh)).toBe(true);
    expect(modeOf(fresh)).toBe(0o600);
    const old = join(tmp.dir, 'old.sqlite');
    for (const f of [old, `${old}-wal`, `${old}-shm`]) {
      writeFileSync(f, '');
      chmodSync(f, 0o644);
    }
    makePrivateDatabaseFile(old);
    for (const f of [old, `${old}-wal`, `${old}-shm`]) expect(modeOf(f), f).toBe(0o600);
    makePrivateDatabaseFile(':memory:');
    expect(existsSync(':memory:')).toBe(false);
  });
});
