// Running a node as a service: pid files, clean shutdown on SIGINT/SIGTERM, a port in use named with its fix.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Whether a process with this id is running (EPERM: it runs, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes this process's id to `file` and returns how to remove it. Refuses a pid file naming a live process (another
 * node still runs); a stale one (its process gone) is replaced.
 */
export function claimPidFile(file: string): () => void {
  const path = resolve(file);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`--pid-file ${path}: cannot read it (${(e as Error).message}): fix its permissions`);
  }
  if (text !== undefined) {
    const pid = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
      throw new UsageError(
        `--pid-file ${path}: process ${pid} is still running: stop it first (kill ${pid}), ` +
          'or give another --pid-file; remove the file only if that process is not this node',
      );
  }
  try {
    // Its directory is made as needed (the README's .tessera/ may not exist before the coordinator's first start).
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${process.pid}\n`);
  } catch (e) {
    throw new UsageError(`--pid-file ${path}: cannot write it (${(e as Error).message}): choose a writable path`);
  }
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
    } catch {
      // Already gone: nothing to remove.
    }
  };
}

/**
 * Stops the node on SIGINT or SIGTERM: logs "LABEL: shutting down (SIGNAL)", runs `stop` (and then `cleanup`, e.g. the
 * pid file), logs "LABEL: stopped" and exits 0. A second signal while stopping exits at once with 130 or 143.
 */
export function stopOnSignals(
  label: string,
  log: (line: string) => void,
  stop: () => Promise<void>,
  cleanup = () => {},
) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${label}: ${signal} again: exiting without waiting`);
      cleanup();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    log(`${label}: shutting down (${signal})`);
    stop()
      .then(
        () => log(`${label}: stopped`),
        (e: Error) => log(`${label}: stopped with an error: ${e.message}`),
      )
      .finally(() => {
        cleanup();
        process.exit(0);
      });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Checks, before the gRPC server binds (whose own log would print raw text), that `listen` (host:port) is free; throws
 * the one-line advice of listenError when it is in use. Port 0 and unparsable addresses are left to the server.
 */
export async function checkPortFree(listen: string): Promise<void> {
  const colon = listen.lastIndexOf(':');
  const port = Number(listen.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return;
  const host = listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || undefined;
  const error = await new Promise<Error | undefined>((done) => {
    const probe = createServer();
    probe.once('error', (e) => done(e));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done(undefined)));
  });
  if (error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw listenError(error, listen);
}

/** Turns "listen EADDRINUSE" into one line naming the address and the fix; other errors pass unchanged. */
export function listenError(e: unknown, listen: string, flag = '--listen'): unknown {
  const message = e instanceof Error ? e.message : String(e);
  if (!/EADDRINUSE/.test(message)) return e;
  return new UsageError(
    `${flag} ${listen}: the port is already in use (another coordinator still running?): stop that process ` +
      `(its pid is in its --pid-file; ss -ltnp shows who listens) or choose another ${flag} port`,
  );
}
