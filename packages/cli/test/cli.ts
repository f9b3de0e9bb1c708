import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelSecurity } from '@tessera/proto';

/** The built CLI: these tests exercise what users run (`npm test` builds first). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

export function requireBuild(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build (npm test does it first)`);
}

export function tessera(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts `tessera coordinator start --json` and resolves with its address once it listens, and how a client in the test
 * reaches it (TLS trusting the certificate it wrote to its data directory).
 */
export function startCoordinatorProcess(
  dataDir: string,
  listen = '127.0.0.1:0',
  extra: readonly string[] = [],
): Promise<{
  proc: ChildProcess;
  address: string;
  port: number;
  tlsFingerprint: string;
  clientSecurity: ChannelSecurity;
  stderr: () => string;
}> {
  const proc = spawn(
    process.execPath,
    [BIN, 'coordinator', 'start', '--data-dir', dataDir, '--listen', listen, '--json', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '',
    err = '';
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const end = out.indexOf('}\n');
      if (end >= 0) {
        const info = JSON.parse(out.slice(0, end + 1)) as { address: string; port: number; tlsFingerprint: string };
        const anchorPem = readFileSync(join(dataDir, 'tls', 'anchor.pem'), 'utf8');
        resolve({
          ...info,
          proc,
          clientSecurity: { mode: 'tls', anchorPem },
          stderr: () => err,
        });
      }
    });
    proc.on('exit', (code) => reject(new Error(`coordinator exited with ${code}: ${err}`)));
  });
}

export function killed(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}
