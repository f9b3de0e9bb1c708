import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shardsOf, tempDir } from '../../sdk/test/helpers.js';
import { toCsv } from '@tessera/data';
import { BIN, killed, requireBuild } from './cli.js';

/** A service process and every line it wrote: its log on stderr, what it tells its user on stdout. */
interface Service {
  name: string;
  proc: ChildProcess;
  lines: string[];
  logLines: string[];
}

/** Starts `tessera ARGS` as a service, keeping its lines; resolves with its stdout once that matches `ready`. */
function startService(name: string, args: string[], ready: RegExp): Promise<Service & { stdout: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Service = { name, proc, lines: [], logLines: [] };
  const partial = { stdout: '', stderr: '' };
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} not ready in 30 s:\n${s.lines.join('\n')}`)), 30_000);
    for (const stream of ['stdout', 'stderr'] as const)
      proc[stream]!.on('data', (d: Buffer) => {
        const text = partial[stream] + d.toString('utf8');
        const whole = text.split('\n');
        partial[stream] = whole.pop()!;
        s.lines.push(...whole);
        if (stream === 'stderr') s.logLines.push(...whole);
        if (stream === 'stdout') {
          stdout += d.toString('utf8');
          if (ready.test(stdout)) {
            clearTimeout(timer);
            resolve({ ...s, stdout });
          }
        }
      });
    proc.on('exit', (code) => {
      for (const rest of Object.values(partial)) if (rest) s.lines.push(rest);
      reject(new Error(`${name} exited with ${code}:\n${s.lines.join('\n')}`));
    });
  });
}

/**
 * Runs a `tessera` command to its end without blocking this process: the services' pipes must be read meanwhile, or a
 * service logging at debug would block on a full pipe.
 */
function tessera(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let stdout = '',
    stderr = '';
  proc.stdout.on('data', (d) => {
    stdout += d;
  });
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000);
  return new Promise((resolve) =>
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The base64 bodies of the private keys in a PEM text (or JSON holding PEM), whole and line by line. */
function privatePemParts(text: string): string[] {
  const parts: string[] = [];
  for (const m of text
    .replaceAll('\\n', '\n')
    .matchAll(/-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g)) {
    const body = m[2]!.split(/\s+/).filter(Boolean);
    parts.push(body.join(''), ...body.filter((l) => l.length >= 16));
  }
  return parts;
}

/** Data values distinctive enough to be found by chance in no log line: decimals of at least six characters. */
function distinctiveValues(csv: string): Set<string> {
  const values = new Set<string>();
  for (const row of csv.trim().split('\n').slice(1))
    for (const v of row.split(',')) if (/^-?\d+\.\d+$/.test(v) && v.length >= 6) values.add(v);
  return values;
}

/**
 * The log test (issue 20): a whole workflow with real processes (enrolment, analyst join, a training job, a sealed
 * job, a query and a payout), the coordinator and the participants logging at debug. Their lines are JSON with level,
 * time and msg, some carry jobId, round, stage and participantId, and none holds a token, an invitation, a private
 * key, the ledger key, an identity secret key, the sealed secret key or a data value.
 */
describe('service logs: structured, and without secrets', () => {
  const tmp = tempDir('tessera-cli-logs-');
  const services: Service[] = [];
  afterAll(async () => {
    await Promise.all(services.map((s) => killed(s.proc, 'SIGTERM')));
    tmp.cleanup();
  });

  it('logs JSON lines with job, round, stage and participant fields, and no token, key or data value', async () => {
    requireBuild();
    /** What must never be logged, by what it is. */
    const secrets = new Map<string, string>();
    const keep = (what: string, value: string | undefined) => {
      if (value && value.length >= 6) secrets.set(value, what);
    };
    const dataDir = join(tmp.dir, 'coordinator');
    const coord = await startService(
      'coordinator',
      ['coordinator', 'start', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--json', '--log-level', 'debug'],
      /^\{[\s\S]*\}\n/,
    );
    services.push(coord);
    const address = (JSON.parse(coord.stdout) as { address: string }).address;

    // The analyst joins with a one-time invitation.
    const keys = join(tmp.dir, 'analyst-keys.json');
    const created = await tessera(['keys', 'create', '--out', keys, '--json']);
    expect(created.code, created.stderr).toBe(0);
    const identity = (JSON.parse(created.stdout) as { identity: string }).identity;
    const invited = await tessera(['coordinator', 'analysts', 'add', 'buyer', '--data-dir', dataDir, '--json']);
    expect(invited.code, invited.stderr).toBe(0);
    const invitation = (JSON.parse(invited.stdout) as { invitation: string }).invitation;
    keep('the analyst invitation', invitation);
    const joined = await tessera(['analyst', 'join', invitation, '--keys', keys, '--json']);
    expect(joined.code, joined.stderr).toBe(0);

    // Three participants enrol with tokens and serve their shards under a policy granting the analyst everything.
    const data = shardsOf('breast_cancer.csv', 'benign', 3, 'iid', 5);
    const values = new Set<string>();
    for (const [i, shard] of data.shards.entries()) {
      const name = `clinic-${i + 1}`;
      const enrolled = await tessera(['coordinator', 'enroll', name, '--data-dir', dataDir, '--json']);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const token = (JSON.parse(enrolled.stdout) as { token: string }).token;
      keep(`the enrolment token of ${name}`, token);
      keep(`the secret part of ${name}'s enrolment token`, token.split('_')[1]);
      const csv = join(tmp.dir, `${name}.csv`);
      writeFileSync(csv, toCsv(shard));
      for (const v of distinctiveValues(readFileSync(csv, 'utf8'))) values.add(v);
      const policy = join(tmp.dir, `${name}-policy.yaml`);
      writeFileSync(
        policy,
        `analysts:\n  buyer: ${identity}\ndatasets:\n  patients: { allowWithoutPrivacy: true, minGroupSize: 1 }\n` +
          'grants:\n  - id: buyer-all\n    analysts: [buyer]\n' +
          '    purposes: [train, query, valuation]\n    expires: 2099-12-31\n',
      );
      const nodeDir = join(tmp.dir, name);
      const init = await tessera([
        ...['participant', 'init', '--token', token, '--name', name, '--coordinator', address],
        ...['--dataset', `patients=${csv}`, '--dir', nodeDir, '--policy', policy, '--json'],
      ]);
      expect(init.code, init.stderr).toBe(0);
      const configPath = (JSON.parse(init.stdout) as { configPath: string }).configPath;
      services.push(
        await startService(
          name,
          ['participant', 'start', '--config', configPath, '--log-level', 'debug'],
          /^participant \S+ \(clinic-\d\) serving/m,
        ),
      );
    }

    const env = { TESSERA_COORDINATOR: address };
    const conn = ['--data-dir', dataDir, '--keys', keys];
    // A training job, then a sealed one, then a query, then a paid job.
    const train = join(tmp.dir, 'train.yaml');
    writeFileSync(train, 'name: plain\ndataset: patients\nlabel: benign\nrounds: 2\nminParticipants: 3\nseed: 1\n');
    const trained = await tessera(['job', 'submit', train, '--watch', '--json', ...conn], { env });
    expect(trained.code, trained.stderr).toBe(0);
    const trainedJob = JSON.parse(trained.stdout) as { id: string; status: string };
    expect(trainedJob.status).toBe('completed');

    const sealed = join(tmp.dir, 'sealed.yaml');
    writeFileSync(sealed, 'name: sealed\ndataset: patients\nlabel: benign\nrounds: 2\nminParticipants: 3\nseed: 2\n');
    const sealedRun = await tessera(['job', 'submit', sealed, '--sealed', '--json', ...conn], { env });
    expect(sealedRun.code, sealedRun.stderr).toBe(0);
    expect((JSON.parse(sealedRun.stdout) as { status: string }).status).toBe('completed');

    const queried = await tessera(
      [
        ...['query', 'SELECT benign, COUNT(*), AVG(mean_radius) FROM patients GROUP BY benign'],
        ...['--dp', 'none', '--domain', 'benign=0|1', '--bounds', 'mean_radius=0:50', '--json', ...conn],
      ],
      { env },
    );
    expect(queried.code, queried.stderr).toBe(0);

    const validation = join(tmp.dir, 'validation.csv');
    writeFileSync(validation, toCsv(data.test));
    const paid = join(tmp.dir, 'paid.yaml');
    writeFileSync(
      paid,
      'name: paid\ndataset: patients\nlabel: benign\nrounds: 2\nminParticipants: 3\nseed: 3\n' +
        'payout:\n  pool: 100001\n  currency: CNY\n  valuation: shapley\n  validation:\n    path: validation.csv\n',
    );
    const paidRun = await tessera(['job', 'submit', paid, '--watch', '--json', ...conn], { env });
    expect(paidRun.code, paidRun.stderr).toBe(0);
    const paidJob = JSON.parse(paidRun.stdout) as { id: string; status: string };
    expect(paidJob.status).toBe('completed');
    // Each member logs its receipt (it arrives after the job completes), then the services stop and log it.
    await expect
      .poll(() => services.filter((s) => s.lines.some((l) => l.includes('received payout receipt'))).length, {
        timeout: 15_000,
        interval: 250,
      })
      .toBe(3);
    await Promise.all(services.map((s) => killed(s.proc, 'SIGTERM')));

    // What must never be logged: every private key in the data directories, whole and by line; the ledger key;
    // the analyst's identity and sealed secret keys; the participants' identity secret keys (hex and base64).
    for (const file of [...filesUnder(dataDir), ...filesUnder(tmp.dir).filter((f) => !f.startsWith(dataDir))]) {
      const text = readFileSync(file, 'utf8');
      for (const part of privatePemParts(text)) keep(`a private key in ${file}`, part);
    }
    /** An Ed25519 key file's secret (tessera-ed25519-secret-key HEX), in hex and base64. */
    const keepKeyFile = (what: string, file: string) => {
      const hex = readFileSync(file, 'utf8').trim().split(/\s+/).pop()!;
      keep(`${what} (hex)`, hex);
      keep(`${what} (base64)`, Buffer.from(hex, 'hex').toString('base64'));
    };
    keepKeyFile('the ledger key', join(dataDir, 'ledger-key'));
    const analystKeys = JSON.parse(readFileSync(keys, 'utf8')) as { secretKey: string; identitySecretKey: string };
    keep("the analyst's identity secret key (base64)", analystKeys.identitySecretKey);
    keep(
      "the analyst's identity secret key (hex)",
      Buffer.from(analystKeys.identitySecretKey, 'base64').toString('hex'),
    );
    // The sealed secret key is long: any 64-character piece of it (past the shared header) would be a leak.
    keep('the sealed secret key', analystKeys.secretKey);
    for (let at = 64; at + 64 <= analystKeys.secretKey.length; at += 4096)
      keep('a piece of the sealed secret key', analystKeys.secretKey.slice(at, at + 64));
    for (const [i] of data.shards.entries())
      keepKeyFile(`clinic-${i + 1}'s identity secret key`, join(tmp.dir, `clinic-${i + 1}`, 'identity.key'));
    expect(secrets.size).toBeGreaterThan(10);
    expect(values.size).toBeGreaterThan(100);

    // The log lines: JSON, each with a level, a time and a message; some carry the job's and participants' ids.
    const all = services.flatMap((s) => s.lines.map((line) => ({ service: s.name, line })));
    const logLines = services.flatMap((s) => s.logLines.map((line) => ({ service: s.name, line })));
    expect(logLines.length).toBeGreaterThan(50);
    const entries = logLines.map(({ service, line }) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${service} logged a line that is not JSON: ${line}`);
      }
      if (!(typeof entry.level === 'string' && typeof entry.time === 'string' && typeof entry.msg === 'string'))
        throw new Error(`${service} logged a line without level, time or msg: ${line}`);
      return entry;
    });
    const carrying = (...fields: string[]) => entries.filter((e) => fields.every((f) => e[f] !== undefined));
    expect(carrying('jobId', 'round', 'stage').length).toBeGreaterThan(5);
    expect(carrying('jobId', 'participantId').length).toBeGreaterThan(5);
    for (const job of [trainedJob.id, paidJob.id])
      expect(entries.some((e) => e.jobId === job && e.msg === `job ${job} finished: completed`)).toBe(true);
    expect(entries.some((e) => e.level === 'debug')).toBe(true);

    // No secret and no data value in any line (numbers matched whole, not inside a longer one).
    const leaks: string[] = [];
    for (const { service, line } of all) {
      for (const [secret, what] of secrets) if (line.includes(secret)) leaks.push(`${what} in ${service}: ${line}`);
      for (const n of line.match(/(?<![\d.])-?\d+\.\d+(?![\d.])/g) ?? [])
        if (values.has(n)) leaks.push(`the data value ${n} in ${service}: ${line}`);
    }
    expect(leaks).toEqual([]);
  }, 300_000);
});
