import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { toCsv } from '@tessera/data';
import { BIN, killed, requireBuild, startCoordinatorProcess, tessera } from './cli.js';

/** Sealed mode from the command line: keys create, job submit --sealed, and job attach after the analyst left. */
describe('tessera CLI sealed workflow', () => {
  const tmp = tempDir('tessera-cli-sealed-');
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => killed(p, 'SIGTERM')));
    tmp.cleanup();
  });

  it('submits a sealed job, decrypts its aggregates, and re-attaches after an interruption', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startCoordinatorProcess(dataDir);
    procs.push(coord.proc);
    const data = shardsOf('breast_cancer.csv', 'benign', 2, 'iid', 4);
    for (const [i, shard] of data.shards.entries()) {
      const name = `clinic-${i + 1}`;
      const enrolled = tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      const init = tessera([
        'participant',
        'init',
        '--token',
        (JSON.parse(enrolled.stdout) as { token: string }).token,
        '--name',
        name,
        '--coordinator',
        coord.address,
        '--dataset',
        `patients=${csv}`,
        '--dir',
        join(tmp.dir, name),
        '--allow-without-privacy',
        'patients',
        '--json',
      ]);
      expect(init.code, init.stderr).toBe(0);
      procs.push(
        spawn(
          process.execPath,
          [BIN, 'participant', 'start', '--config', (JSON.parse(init.stdout) as { configPath: string }).configPath],
          { stdio: 'ignore' },
        ),
      );
    }
    const keys = join(tmp.dir, 'analyst-keys.json');
    expect(tessera(['keys', 'create', '--out', keys]).code).toBe(0);
    const added = tessera(['coordinator', 'analysts', 'add', 'sealer', '--keys', keys, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    const spec = join(tmp.dir, 'job.yaml');
    writeFileSync(
      spec,
      'name: sealed-screening\ndataset: patients\nlabel: benign\nrounds: 3\nminParticipants: 2\nseed: 1\n',
    );
    const env = { TESSERA_COORDINATOR: coord.address, TESSERA_ANALYST_KEYS: keys };

    const submitted = tessera(['job', 'submit', spec, '--sealed', '--keys', keys, '--json', '--data-dir', dataDir], {
      env,
    });
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = JSON.parse(submitted.stdout) as {
      id: string;
      status: string;
      roundsCompleted: number;
      spec: { secure: { mode: string } };
    };
    expect(job.status).toBe('completed');
    expect(job.roundsCompleted).toBe(3);
    expect(job.spec.secure.mode).toBe('sealed');

    // the analyst leaves after the first fit aggregate; the job waits; `job attach` finishes it
    const longer = join(tmp.dir, 'longer.yaml');
    writeFileSync(
      longer,
      'name: sealed-longer\ndataset: patients\nlabel: benign\nrounds: 4\nminParticipants: 2\n' +
        'seed: 2\nroundTimeoutSeconds: 60\n',
    );
    const first = spawn(
      process.execPath,
      [BIN, 'job', 'submit', longer, '--sealed', '--keys', keys, '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
    );
    procs.push(first);
    let err = '';
    const id = await new Promise<string>((resolve, reject) => {
      first.stderr!.on('data', (d) => {
        err += d;
        const m = /submitted job (\S+)/.exec(err);
        if (m && /decrypted the sealed fit aggregate of round 1/.test(err)) resolve(m[1]);
      });
      first.on('exit', (code) => reject(new Error(`job submit exited (${code}) before round 1: ${err}`)));
    });
    await killed(first, 'SIGKILL');
    const waiting = JSON.parse(tessera(['job', 'get', id, '--json', '--data-dir', dataDir], { env }).stdout) as {
      status: string;
    };
    expect(waiting.status).toBe('running');
    const attached = tessera(['job', 'attach', id, '--keys', keys, '--json', '--data-dir', dataDir], { env });
    expect(attached.code, attached.stderr).toBe(0);
    const final = JSON.parse(attached.stdout) as { status: string; roundsCompleted: number };
    expect(final.status).toBe('completed');
    expect(final.roundsCompleted).toBe(4);
    expect(attached.stderr).toMatch(/decrypted the sealed fit aggregate of round 4/);
  }, 180_000);
});
