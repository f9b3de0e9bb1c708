import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readTrustAnchor, type ChannelSecurity } from '@tessera/sdk';
import { procMemory, type ProcMemory } from './proc-memory.js';

/** The `tessera` binary of the installed @tessera/cli (its dist/bin.js, next to its main module dist/program.js). */
export function tesseraBin(): string {
  return fileURLToPath(new URL('./bin.js', import.meta.resolve('@tessera/cli')));
}

/**
 * A coordinator in its own process, started as an operator would
 * (`tessera coordinator start --json`), so that its memory can be measured alone.
 */
export class CoordinatorProcess {
  private stderrTail: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
    readonly dataDir: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * `insecure`: plaintext on loopback (`--insecure`) instead of TLS, for the transport benchmark's comparison.
   * `nodeArgs` go to node before the script (e.g. --cpu-prof), `extraArgs` to `coordinator start` (e.g. --store).
   */
  static start(o: {
    dataDir: string;
    uploadSlots: number;
    insecure?: boolean;
    timeoutMs?: number;
    nodeArgs?: string[];
    extraArgs?: string[];
  }): Promise<CoordinatorProcess> {
    const args = [
      ...(o.nodeArgs ?? []),
      tesseraBin(),
      'coordinator',
      'start',
      '--data-dir',
      o.dataDir,
      '--listen',
      '127.0.0.1:0',
      '--upload-slots',
      String(o.uploadSlots),
      ...(o.insecure ? ['--insecure'] : []),
      ...(o.extraArgs ?? []),
      '--json',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      tail.push(...text.split('\n').filter(Boolean));
      tail.splice(0, Math.max(0, tail.length - 20));
    });
    return new Promise((resolve, reject) => {
      let out = '';
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(
          new Error(`the coordinator process ${why}${tail.length ? `; its last messages:\n${tail.join('\n')}` : ''}`),
        );
      };
      const timer = setTimeout(
        () => fail(`did not report its address within ${o.timeoutMs ?? 30_000} ms`),
        o.timeoutMs ?? 30_000,
      );
      child.once('exit', (code, signal) => fail(`exited early (${signal ?? `code ${code}`})`));
      child.once('error', (e) => fail(`could not be started: ${e.message}`));
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (text: string) => {
        out += text;
        let info: { address?: string; dataDir?: string };
        try {
          info = JSON.parse(out) as typeof info;
        } catch {
          return; // the JSON document is not complete yet
        }
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        const c = new CoordinatorProcess(child, String(info.address), String(info.dataDir ?? o.dataDir));
        c.stderrTail = tail;
        resolve(c);
      });
    });
  }

  /** How a client here reaches it: TLS trusting the certificate it wrote to its data directory (or plaintext). */
  clientSecurity(insecure = false): ChannelSecurity {
    if (insecure) return { mode: 'insecure' };
    const anchorPem = readTrustAnchor(this.dataDir);
    if (!anchorPem) throw new Error(`the coordinator wrote no TLS certificate to ${this.dataDir}/tls`);
    return { mode: 'tls', anchorPem };
  }

  memory(): ProcMemory {
    return procMemory(this.pid);
  }

  /** The coordinator's last log lines (stderr), for error messages. */
  lastMessages(): string {
    return this.stderrTail.join('\n');
  }

  /** SIGTERM (the coordinator shuts down cleanly), SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
