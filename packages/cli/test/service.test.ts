// Nodes as services: SIGTERM shuts them down cleanly and logs it, a restarted node reconnects and says so,
// --pid-file is written and removed (a live one refused), and a port in use is named with its fix.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@tessera/test-support';
import { BIN, EXAMPLES, killed, requireBuild, startCoordinatorProcess, tessera } from './cli.js';

/** A spawned participant node whose stderr is collected, and a wait for a line in it. */
function startNode(config: string, pidFile: string) {
  const proc = spawn(process.execPath, [BIN, 'participant', 'start', '--config', config, '--pid-file', pidFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d) => {
    err += d;
  });
  proc.stdout!.resume();
  const waitFor = (text: string) => expect.poll(() => err, { timeout: 10_000, interval: 50 }).toContain(text);
  return { proc, stderr: () => err, waitFor };
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (proc.exitCode !== null) return done(proc.exitCode);
    proc.once('exit', (code) => done(code));
  });
}

describe('nodes as services', () => {
  const tmp = tempDir('tessera-service-');
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await killed(p);
    tmp.cleanup();
  });

  it('a coordinator port in use and a live pid file are refused with the fix, no raw gRPC text', async () => {
    requireBuild();
    const coord = await startCoordinatorProcess(join(tmp.dir, 'busy'));
    procs.push(coord.proc);
    const pidFile = join(tmp.dir, 'second.pid');
    const second = tessera([
      'coordinator',
      'start',
      '--data-dir',
      join(tmp.dir, 'second'),
      '--listen',
      `127.0.0.1:${coord.port}`,
      '--pid-file',
      pidFile,
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`--listen 127.0.0.1:${coord.port}: the port is already in use`);
    expect(second.stderr).toContain('choose another --listen port');
    expect(second.stderr).not.toMatch(/EADDRINUSE|No address added|Error:|\n\s+at /);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(pidFile)).toBe(false);

    // A pid file naming a running process (the first coordinator) is refused, and left alone.
    writeFileSync(pidFile, `${coord.proc.pid}\n`);
    const clash = tessera(['coordinator', 'start', '--data-dir', join(tmp.dir, 'third'), '--pid-file', pidFile]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(
      `process ${coord.proc.pid} is still running: stop it first (kill ${coord.proc.pid})`,
    );
    expect(readFileSync(pidFile, 'utf8')).toBe(`${coord.proc.pid}\n`);
    await killed(coord.proc, 'SIGTERM');
    expect(coord.stderr()).toContain('coordinator: shutting down (SIGTERM)');
    expect(coord.stderr()).toContain('coordinator: stopped');
  });

  it('SIGTERM stops a participant cleanly, its pid file goes, and a restarted node reconnects', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startCoordinatorProcess(dataDir);
    procs.push(coord.proc);
    const enrolled = tessera(['coordinator', 'enroll', 'merchant-a', '--data-dir', dataDir, '--json']);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const init = tessera([
      'participant',
      'init',
      '--token',
      (JSON.parse(enrolled.stdout) as { token: string }).token,
      '--name',
      'merchant-a',
      '--coordinator',
      coord.address,
      '--dataset',
      `patients=${join(EXAMPLES, 'data', 'breast_cancer.csv')}`,
      '--dir',
      join(tmp.dir, 'merchant-a'),
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const { configPath, participantId } = JSON.parse(init.stdout) as { configPath: string; participantId: string };
    const pidFile = join(tmp.dir, 'merchant-a.pid');

    const first = startNode(configPath, pidFile);
    procs.push(first.proc);
    await first.waitFor(`participant ${participantId} connected`);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${first.proc.pid}\n`);
    expect(first.stderr()).toContain(`participant ${participantId}: serves patients as loaded at start`);
    first.proc.kill('SIGTERM');
    expect(await exited(first.proc)).toBe(0);
    expect(first.stderr()).toContain(`participant ${participantId}: shutting down (SIGTERM)`);
    expect(first.stderr()).toContain(`participant ${participantId}: stopped`);
    expect(existsSync(pidFile)).toBe(false);

    // A stale pid file (its process gone) does not stop a restart; the node connects again and says so.
    writeFileSync(pidFile, `${first.proc.pid}\n`);
    const second = startNode(configPath, pidFile);
    procs.push(second.proc);
    await second.waitFor(`participant ${participantId} connected`);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${second.proc.pid}\n`);
    second.proc.kill('SIGINT');
    expect(await exited(second.proc)).toBe(0);
    expect(second.stderr()).toContain(`participant ${participantId}: shutting down (SIGINT)`);
    expect(existsSync(pidFile)).toBe(false);
  });
});
