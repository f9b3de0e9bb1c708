/**
 * The files a participant's local page keeps beside the node's config: console-secret (32 random bytes, owner-only)
 * signs login links, and console-url (no secret) says where the page listens. With both, `tessera participant
 * console-link` mints a login link without talking to the node.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readSecretFile } from '@tessera/crypto';

/** The secret that signs login links, beside the participant config. */
export const CONSOLE_SECRET_FILE = 'console-secret';
/** The local page's address (http://127.0.0.1:PORT), beside the participant config. */
export const CONSOLE_URL_FILE = 'console-url';

/** Where a participant config's console files are: its directory. */
export const consoleFilesOf = (configFile: string) => {
  const dir = dirname(resolve(configFile));
  return { secret: join(dir, CONSOLE_SECRET_FILE), url: join(dir, CONSOLE_URL_FILE) };
};

const startHint = (configFile: string) => `tessera participant start --config ${configFile} --console`;

/** The console secret of a participant config, created (mode 0600) if missing; one others can read is refused. */
export function loadOrCreateConsoleSecret(configFile: string): Buffer {
  const path = consoleFilesOf(configFile).secret;
  if (!existsSync(path)) {
    try {
      // 'wx': a file another process created meanwhile is read, never overwritten.
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeFileSync(fd, `${randomBytes(32).toString('hex')}\n`);
      } finally {
        closeSync(fd);
      }
      chmodSync(path, 0o600);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
    }
  }
  return readConsoleSecret(configFile);
}

/** The console secret of a participant config; errors name the file and say what to do. */
export function readConsoleSecret(configFile: string): Buffer {
  const path = consoleFilesOf(configFile).secret;
  if (!existsSync(path))
    throw new Error(
      `${path} does not exist: start the node with --console first (${startHint(configFile)}); it creates the file`,
    );
  const text = readSecretFile(path).trim();
  if (!/^[0-9a-f]{64}$/.test(text))
    throw new Error(
      `${path} is not a console secret (expected 64 hex digits): delete it and restart the node with --console, ` +
        'which writes a new one (links made with the old one stop working)',
    );
  return Buffer.from(text, 'hex');
}

/** Notes where the page listens (mode 0644: an address, no secret). */
export function writeConsoleUrl(configFile: string, url: string): void {
  const path = consoleFilesOf(configFile).url;
  writeFileSync(path, `${url}\n`, { mode: 0o644 });
}

/** Removes the note at close, unless another console of the same config has replaced it since. */
export function removeConsoleUrl(configFile: string, url: string): void {
  const path = consoleFilesOf(configFile).url;
  if (existsSync(path) && readFileSync(path, 'utf8').trim() === url) rmSync(path, { force: true });
}

/** Where the page of a running node listens; errors name the file and say what to do. */
export function readConsoleUrl(configFile: string): string {
  const path = consoleFilesOf(configFile).url;
  const url = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
  if (!/^http:\/\/\S+$/.test(url))
    throw new Error(
      `${existsSync(path) ? `${path} holds no console address` : `${path} does not exist`}: the node is not ` +
        `serving its local page; start it with --console (${startHint(configFile)})`,
    );
  return url;
}
