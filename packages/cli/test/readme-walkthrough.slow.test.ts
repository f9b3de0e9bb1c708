import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../sdk/test/helpers.js';
import { EXAMPLES, killed, requireBuild } from './cli.js';
import { joinedRegExp } from '@tessera/test-support';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
/** What `npx tessera` runs in the repository: the command npm links on install (packages/cli/bin/tessera.js). */
const NPX_TESSERA = fileURLToPath(new URL('../../../node_modules/.bin/tessera', import.meta.url));

/** The shell blocks of the README's "A federation by hand" section, one command a line (continuations joined). */
export function walkthroughBlocks(readme: string): string[][] {
  const section = readme.slice(
    readme.indexOf('## A federation by hand'),
    readme.indexOf('\n## ', readme.indexOf('## A federation by hand') + 5),
  );
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    m[1]
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((l) =>
        l
          .replace(/\s+#.*$/, '')
          .replace(/^#.*$/, '')
          .trim(),
      )
      .filter(Boolean),
  );
}

/** Splits a command line as a shell would for these commands: words, "double" and 'single' quotes. */
export function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

interface Ran {
  line: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the README's federation-by-hand commands as written, each a separate process, in a fresh
 * directory that links the repository's examples/: `npx tessera` is the command npm linked, the tokens and
 * the job id are the ones the earlier commands printed, and the coordinator listens on a free
 * loopback port (the only change: --listen, and --coordinator for init).
 */
describe('README: a federation by hand works as written under the safe defaults', () => {
  const tmp = tempDir('tessera-readme-');
  const background: ChildProcess[] = [];
  /** What each background process has printed so far. */
  const backgroundOutput: (() => string)[] = [];
  afterAll(async () => {
    await Promise.all(background.map((p) => killed(p, 'SIGTERM')));
    tmp.cleanup();
  });

  it('every command succeeds; the single-customer query without DP is refused', async () => {
    requireBuild();
    symlinkSync(EXAMPLES, join(tmp.dir, 'examples'));
    const [walk, refused, stop] = walkthroughBlocks(readFileSync(README, 'utf8'));
    expect(walk.length).toBeGreaterThanOrEqual(15);
    const address = `127.0.0.1:${await freePort()}`;
    const tokens: string[] = [];
    let jobId = '';
    const exec = async (line: string): Promise<Ran> => {
      const bg = line.endsWith('&');
      let args = words(line.replace(/&$/, '').trim());
      expect(args.slice(0, 2), line).toEqual(['npx', 'tessera']);
      args = args
        .slice(2)
        .map((a) => (a === '<job-id>' ? jobId : /^<token(-\w+)?>$/.test(a) ? (tokens.shift() ?? a) : a));
      if (args[0] === 'coordinator' && args[1] === 'start') args.push('--listen', address);
      if (args[0] === 'participant' && args[1] === 'init') args.push('--coordinator', address);
      const proc = spawn(process.execPath, [NPX_TESSERA, ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '',
        stderr = '';
      proc.stdout!.on('data', (d) => {
        stdout += d;
      });
      proc.stderr!.on('data', (d) => {
        stderr += d;
      });
      if (bg) {
        background.push(proc);
        backgroundOutput.push(() => stdout + stderr);
        // Started: the coordinator listens, a participant is serving.
        await new Promise<void>((resolve, reject) => {
          proc.stdout!.on('data', () => {
            if (/listening on|serving/.test(stdout)) resolve();
          });
          proc.on('exit', (code) => reject(new Error(`${line} exited with ${code}: ${stderr}`)));
        });
        return { line, code: null, stdout, stderr };
      }
      const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
      return { line, code, stdout, stderr };
    };

    const out: Ran[] = [];
    for (const line of walk) {
      const r = await exec(line);
      out.push(r);
      if (r.code !== null) expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      if (/coordinator enroll/.test(line)) tokens.push(r.stdout.trim());
      if (/job submit/.test(line)) jobId = /job (job-[0-9a-f]+)/.exec(r.stdout)![1];
    }
    const of = (re: RegExp) => out.find((r) => re.test(r.line))!;
    expect(of(/participant init .*merchant-a/).stdout).toMatch(
      joinedRegExp(
        /starter consent policy written to .*node-a[/\\]policy\.yaml\n[\s\S]*identifier columns, refused as filters /,
        /\(WHERE\) and group keys \(GROUP BY\): customer_id/,
      ),
    );
    expect(of(/participant start .*node-a/).stderr).not.toMatch(/warning/);
    expect(of(/participant check/).stdout).toMatch(/participant p-[0-9a-f]+ can serve job "repurchase"/);
    // The job declares the text columns' domains, so region and favourite_category are features too.
    expect(of(/participant check/).stdout).not.toMatch(/^warn/m);
    expect(of(/job submit/).stdout).toMatch(/: completed, 10\/10 rounds/);
    // Both merchants, each from its own directory, contributed to every round.
    expect(of(/job submit/).stdout).toMatch(/^\s+10\s+completed\s+2\s+0\s/m);
    expect(of(/tessera query/).stdout).toMatch(/^region\s+COUNT\(\*\)\s+AVG\(order_value\)/m);
    expect(of(/participant init .*merchant-b/).stdout).toMatch(/node-b[/\\]policy\.yaml/);
    expect(of(/model score/).stdout).toMatch(
      /scored 200 rows of examples\/data\/new_customers\.csv[\s\S]*AUC 0\.[6-9]\d*/,
    );
    expect(of(/tessera query/).stdout).toMatch(/central\s[\s\S]*differential privacy: epsilon 1, delta/);
    expect(of(/tessera report/).code).toBe(0);
    expect(existsSync(join(tmp.dir, 'regions.json'))).toBe(true);
    expect(readFileSync(join(tmp.dir, 'report.html'), 'utf8')).toMatch(/<svg[\s\S]*order_value/);
    expect(of(/participant audit/).stdout).toMatch(/customers\s+epsilon 10, delta [^\n]*record/);

    expect(refused).toHaveLength(1);
    const r = await exec(refused[0]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      joinedRegExp(
        /job refused: participant p-[0-9a-f]+ keeps a privacy budget for data set "customers" .* serves only /,
        /differentially private jobs/,
      ),
    );

    // The last block stops the background processes through their pid files: the pids are the node processes
    // themselves (not npx), each logs a clean shutdown, exits 0 and removes its pid file.
    expect(stop).toEqual([expect.stringMatching(/^kill \$\(cat( \S+\.pid)+\)$/)]);
    const pidFiles = [...stop[0]!.matchAll(/(\S+\.pid)/g)].map((m) => join(tmp.dir, m[1]!));
    expect(pidFiles).toHaveLength(background.length);
    const pids = pidFiles.map((f) => Number(readFileSync(f, 'utf8').trim()));
    expect(pids.sort()).toEqual(background.map((p) => p.pid!).sort());
    const exits = background.map((p) => new Promise<number | null>((resolve) => p.on('exit', resolve)));
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    expect(await Promise.all(exits)).toEqual(background.map(() => 0));
    for (const f of pidFiles) expect(existsSync(f), f).toBe(false);
    const logs = backgroundOutput.map((output) => output());
    expect(logs.join('\n')).toMatch(/coordinator: shutting down \(SIGTERM\)/);
    expect(logs.join('\n').match(/participant p-[0-9a-f]+: shutting down \(SIGTERM\)/g)).toHaveLength(2);
  }, 180_000);
});
