import { afterAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '@tessera/data';
import type { ParticipantNode } from '@tessera/participant';
import { signingKeyPairFromSecret } from '@tessera/crypto';
import { createAnalystKeys, saveAnalystKeys, startParticipant } from '@tessera/sdk';
import { parseJobSpec } from '@tessera/jobs';
import { TestSealedAnalyst } from '../../../coordinator/test/sealed-analyst.js';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { spawn } from 'node:child_process';
import { BIN, killed, requireBuild, startCoordinatorProcess, tessera } from './cli.js';

function tesseraAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Counts occurrences of each needle in the writable memory of a process (its heap, stacks, wasm memory). */
function scanProcessMemory(pid: number, needles: Buffer[]): number[] {
  const found = needles.map(() => 0);
  const regions = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .filter((l) => / rw.p /.test(l));
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    for (const line of regions) {
      const [from, to] = line
        .split(' ')[0]
        .split('-')
        .map((h) => Number.parseInt(h, 16));
      if (to - from > 2 ** 31) continue;
      const buf = Buffer.alloc(to - from);
      try {
        readSync(fd, buf, 0, buf.length, from);
      } catch {
        continue;
      }
      needles.forEach((n, i) => {
        if (buf.indexOf(n) >= 0) found[i]++;
      });
    }
  } finally {
    closeSync(fd);
  }
  return found;
}

describe("sealed mode: the coordinator never holds the analyst's secret key", () => {
  const tmp = tempDir('tessera-sealed-');
  const nodes: ParticipantNode[] = [];
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await stop?.();
    tmp.cleanup();
  });

  let address = '';
  let fingerprint = '';
  const keysFile = join(tmp.dir, 'analyst-keys.json');
  let sealedJob = '';
  let rows = 0;

  it('neither its process memory, its database nor its logs contain the secret key after a sealed job', async () => {
    requireBuild();
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startCoordinatorProcess(dataDir);
    stop = () => killed(coord.proc, 'SIGTERM');
    address = coord.address;
    fingerprint = coord.tlsFingerprint;
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 5);
    rows = data.shards.reduce((n, s) => n + s.rows.length, 0);
    // These merchants opt their (public) data out of DP and grant scoring too: sealed jobs and encrypted scoring are
    // not DP releases.
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(
      policy,
      'datasets:\n  patients: { allowWithoutPrivacy: true }\n' +
        'grants:\n  - { id: all, analysts: ["*"], purposes: [train, query, score], expires: 2099-12-31 }\n',
    );
    for (const [i, shard] of data.shards.entries()) {
      const name = `shop-${i}`;
      const { token } = JSON.parse(
        tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']).stdout,
      ) as { token: string };
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
        '--policy',
        policy,
        '--json',
      ]);
      expect(init.code, init.stderr).toBe(0);
      nodes.push(await startParticipant((JSON.parse(init.stdout) as { configPath: string }).configPath));
    }
    // The analyst, registered on the coordinator's machine; the CLI later acts as the same analyst with its key file.
    const keys = await createAnalystKeys();
    saveAnalystKeys(keysFile, keys);
    const added = tessera(['coordinator', 'analysts', 'add', 'sealer', '--keys', keysFile, '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    const identity = signingKeyPairFromSecret(keys.identitySecretKeyBytes());
    const analyst = await TestSealedAnalyst.create({ ...coord, options: { dataDir } }, 'sealer', identity);
    try {
      const body = {
        dataset: 'patients',
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        seed: 'secret',
        roundTimeoutSeconds: 30,
        secure: { mode: 'sealed' },
      };
      const job = await analyst.submit(body);
      sealedJob = job.id;
      await analyst.attach(job.id, parseJobSpec(body));
      expect(analyst.aggregates.map((a) => a.stage)).toEqual(['statistics', 'fit', 'fit']);

      const secret = Buffer.from(analyst.keys.secretKeyBytes());
      const pub = Buffer.from(analyst.keys.publicKey);
      const window = (b: Buffer) => b.subarray(Math.floor(b.length / 2), Math.floor(b.length / 2) + 48);
      const secretForms = [
        window(secret),
        Buffer.from(secret.toString('base64').slice(4000, 4064)),
        Buffer.from(secret.toString('hex').slice(4000, 4064)),
      ];
      // The positive control: the public key, which the coordinator must hold, is found by the same scan.
      const [pubFound, ...secretFound] = scanProcessMemory(coord.proc.pid!, [window(pub), ...secretForms]);
      expect(pubFound).toBeGreaterThan(0);
      expect(secretFound).toEqual([0, 0, 0]);
      for (const file of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
        if (!statSync(join(dataDir, file)).isFile()) continue; // tls/ holds the coordinator's certificates
        const bytes = readFileSync(join(dataDir, file));
        for (const form of secretForms) expect(bytes.indexOf(form), `${file} holds the secret key`).toBe(-1);
      }
      for (const form of secretForms) expect(coord.stderr().includes(form.toString('latin1'))).toBe(false);
    } finally {
      analyst.close();
    }
  });

  it("tessera score --sealed scores the trained model on the participants' data, encrypted, from the CLI", async () => {
    const conn = ['--coordinator', address, '--keys', keysFile, '--tls-fingerprint', fingerprint];
    const modelPath = join(tmp.dir, 'model.json');
    const result = tessera(['job', 'result', sealedJob, '--out', modelPath, ...conn]);
    expect(result.code, result.stderr).toBe(0);
    const refused = tessera(['score', '--model', modelPath, '--dataset', 'patients', ...conn]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/add --sealed/);
    // The participants run in this process: the command must not block its event loop (no spawnSync).
    const scored = await tesseraAsync([
      'score',
      '--model',
      modelPath,
      '--dataset',
      'patients',
      '--sealed',
      '--min-participants',
      '3',
      '--json',
      ...conn,
    ]);
    expect(scored.code, scored.stderr).toBe(0);
    const out = JSON.parse(scored.stdout) as {
      overall: { count: number; mean: number };
      segments: { segment: string }[];
    };
    expect(Math.abs(out.overall.count - rows)).toBeLessThan(1e-3);
    expect(Number.isFinite(out.overall.mean)).toBe(true);
    expect(out.segments.map((s) => s.segment)).toEqual(['all']);
  });
});
