import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { toCsv } from '@tessera/data';
import { BIN, killed, requireBuild, startCoordinatorProcess, tessera } from './cli.js';

/**
 * The path a real deployment takes, command by command, each a separate process (slow project:
 * the SDK and coordinator tests cover the same flow in process; workflow.test.ts keeps the spec checks).
 */
describe('tessera CLI workflow: coordinator, enrolment, participants, job, result, scoring', () => {
  const tmp = tempDir('tessera-cli-');
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(procs.map((p) => killed(p, 'SIGTERM')));
    tmp.cleanup();
  });

  it('runs a job end to end from the command line', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startCoordinatorProcess(dataDir);
    procs.push(coord.proc);
    const data = shardsOf('breast_cancer.csv', 'benign', 2, 'iid', 3);

    for (const [i, shard] of data.shards.entries()) {
      const name = `shop-${i + 1}`;
      const enrolled = tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const { token } = JSON.parse(enrolled.stdout) as { token: string };
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      const init = tessera([
        'participant',
        'init',
        '--token',
        token,
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
      const { configPath } = JSON.parse(init.stdout) as { configPath: string };
      expect(readFileSync(configPath, 'utf8')).toContain('participantId');
      // the token was consumed
      const again = tessera([
        'participant',
        'init',
        '--token',
        token,
        '--name',
        'thief',
        '--coordinator',
        coord.address,
        '--dataset',
        `patients=${csv}`,
        '--dir',
        join(tmp.dir, 'thief'),
      ]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already used/);
      const node = spawn(process.execPath, [BIN, 'participant', 'start', '--config', configPath], { stdio: 'ignore' });
      procs.push(node);
    }

    const spec = join(tmp.dir, 'job.yaml');
    writeFileSync(
      spec,
      'name: cancer-screening\ndataset: patients\nlabel: benign\nrounds: 4\nminParticipants: 2\nseed: 1\n',
    );
    // The analyst: a key file, registered by the operator on this machine (its certificate is saved beside it).
    const keys = join(tmp.dir, 'analyst-keys.json');
    expect(tessera(['keys', 'create', '--out', keys]).code).toBe(0);
    const added = tessera(['coordinator', 'analysts', 'add', 'analyst', '--keys', keys, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    const env = { TESSERA_COORDINATOR: coord.address, TESSERA_ANALYST_KEYS: keys };
    const submitted = tessera(['job', 'submit', spec, '--watch', '--json', '--data-dir', dataDir], { env });
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = JSON.parse(submitted.stdout) as { id: string; status: string; roundsCompleted: number };
    expect(job.status).toBe('completed');
    expect(job.roundsCompleted).toBe(4);

    const list = tessera(['job', 'list', '--json', '--data-dir', dataDir], { env });
    expect((JSON.parse(list.stdout) as { id: string }[]).map((j) => j.id)).toContain(job.id);

    const modelPath = join(tmp.dir, 'model.json');
    const result = tessera(['job', 'result', job.id, '--out', modelPath, '--data-dir', dataDir], { env });
    expect(result.code, result.stderr).toBe(0);
    const testCsv = join(tmp.dir, 'test.csv');
    writeFileSync(testCsv, toCsv(data.test));
    const scored = tessera(['model', 'score', '--model', modelPath, '--data', testCsv, '--json']);
    expect(scored.code, scored.stderr).toBe(0);
    const s = JSON.parse(scored.stdout) as { rows: number; metrics: { auc: number } };
    expect(s.rows).toBe(data.test.rows.length);
    expect(s.metrics.auc).toBeGreaterThan(0.95);
  }, 120_000);
});
