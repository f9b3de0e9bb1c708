/**
 * Files only their owner may read: secret files (keys) are refused when group or others have any access to them,
 * and the directories and databases that hold secrets are created owner-only.
 */
import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';

/** Group and other permission bits: a secret file or private directory must have none of them. */
const GROUP_OR_OTHER = 0o077;

/** POSIX permission bits mean nothing on Windows (where Node reports 0o666 for every file): the checks skip it. */
const checksModes = process.platform !== 'win32';

/** A secret file that other users can read or write: the message names the file, its mode and the fix. */
export class LoosePermissionsError extends Error {
  readonly code = 'loose-permissions';
  constructor(
    readonly path: string,
    readonly mode: number,
  ) {
    super(
      `${path} is a secret file but other users can access it (mode ${octal(mode)}): ` +
        `run chmod 600 ${path}, and replace the secret if someone else may have read it`,
    );
    this.name = 'LoosePermissionsError';
  }
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/**
 * Reads a secret file (a private key, a ledger key) as UTF-8, refusing it with a LoosePermissionsError when group or
 * others have any access. The mode is read from the open descriptor, so the file checked is the file read.
 */
export function readSecretFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const { mode } = fstatSync(fd);
    if (checksModes && (mode & GROUP_OR_OTHER) !== 0) throw new LoosePermissionsError(path, mode);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a directory (and missing parents) readable only by its owner (0700). A directory that already exists is
 * left as it is: it may be shared on purpose, and the secrets in it are 0600 on their own.
 */
export function makePrivateDirectory(path: string): void {
  if (existsSync(path)) return;
  // mkdir's mode applies to every directory it creates (less the umask, which cannot add bits).
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/**
 * Makes a database file (and its SQLite companions, -wal, -shm and -journal, if present) owner-only (0600), creating
 * it empty if missing, before SQLite opens it: SQLite creates the companions with the database file's mode.
 */
export function makePrivateDatabaseFile(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (checksModes && existsSync(file) && (statSync(file).mode & GROUP_OR_OTHER) !== 0) chmodSync(file, 0o600);
  }
}
