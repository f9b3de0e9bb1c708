#!/usr/bin/env node
// The demo soak (issue 19): runs `tessera demo` again and again, each run under a timeout, and fails on any run that
// fails or hangs. A hung run gets a Node diagnostic report (its threads' stacks and handles) before it is killed.
//
//   npm run soak -w @tessera/cli                  20 runs of the 40-participant plaintext demo, 3 rounds
//   node packages/cli/scripts/demo-soak.mjs --runs 5 --timeout 120 --json -- --participants 40 --rounds 3
//
// Options: --runs N (20), --timeout SECONDS per run (180), --json (the summary on stdout as JSON); the arguments after
// -- go to `tessera demo` (default: --participants 40 --rounds 3 --secure none). Needs the build (npm run build).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const DEFAULT_DEMO = ['--participants', '40', '--rounds', '3', '--secure', 'none'];

function parse(argv) {
  const o = { runs: 20, timeout: 180, json: false, demo: DEFAULT_DEMO };
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  if (dash >= 0) o.demo = argv.slice(dash + 1);
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    if (a === '--json') o.json = true;
    else if (a === '--runs' || a === '--timeout') {
      const v = Number(own[++i]);
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} must be a positive integer, got ${own[i]}`);
      o[a.slice(2)] = v;
    } else throw new Error(`unknown option ${a}: use --runs N, --timeout SECONDS, --json, then -- and demo arguments`);
  }
  return o;
}

/** One demo run: ok, failed (exit code) or hung (killed after the timeout, with a diagnostic report). */
function runOnce(demoArgs, dir, timeoutSeconds) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${dir}`, BIN, 'demo', ...demoArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-20_000); // the tail is what explains a failure
    });
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGUSR2'); // the report first (written by the main thread, if its event loop still turns)
      setTimeout(() => child.kill('SIGKILL'), 3_000);
    }, timeoutSeconds * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const report = readdirSync(dir).find((f) => f.startsWith('report.') && f.endsWith('.json'));
      if (hung) resolve({ status: 'hung', seconds, stderr, ...(report ? { report: join(dir, report) } : {}) });
      else if (code !== 0) resolve({ status: 'failed', seconds, code, signal, stderr });
      else {
        try {
          JSON.parse(stdout); // --json: stdout must be one JSON document, progress goes to stderr
          resolve({ status: 'ok', seconds });
        } catch {
          resolve({ status: 'failed', seconds, code, stderr: `stdout is not JSON: ${stdout.slice(0, 200)}` });
        }
      }
    });
  });
}

async function main() {
  const o = parse(process.argv.slice(2));
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  const root = mkdtempSync(join(tmpdir(), 'tessera-soak-'));
  const runs = [];
  for (let i = 1; i <= o.runs; i++) {
    const dir = join(root, `run-${i}`);
    const args = [...o.demo, '--json', '--seed', String(i), '--keep', join(dir, 'federation')];
    mkdirSync(dir, { recursive: true });
    const r = await runOnce(args, dir, o.timeout);
    runs.push({ run: i, ...r });
    const tail =
      r.status === 'ok' ? '' : `: ${r.report ? `diagnostic report ${r.report}; ` : ''}${lastLines(r.stderr)}`;
    process.stderr.write(`run ${i}/${o.runs}: ${r.status} in ${r.seconds.toFixed(1)} s${tail}\n`);
    if (r.status === 'ok') rmSync(dir, { recursive: true, force: true }); // a failed run's files stay, to look at
  }
  const seconds = runs.map((r) => r.seconds);
  const sorted = [...seconds].sort((a, b) => a - b);
  const summary = {
    runs: o.runs,
    ok: runs.filter((r) => r.status === 'ok').length,
    failed: runs.filter((r) => r.status === 'failed').map((r) => r.run),
    hung: runs.filter((r) => r.status === 'hung').map((r) => ({ run: r.run, report: r.report ?? null })),
    timeoutSeconds: o.timeout,
    demo: o.demo.join(' '),
    seconds: seconds.map((s) => Math.round(s * 10) / 10),
    medianSeconds: Math.round(sorted[Math.floor((sorted.length - 1) / 2)] * 10) / 10,
    maxSeconds: Math.round(sorted[sorted.length - 1] * 10) / 10,
  };
  if (summary.ok === o.runs) rmSync(root, { recursive: true, force: true });
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `${summary.ok}/${o.runs} runs completed (median ${summary.medianSeconds} s, max ${summary.maxSeconds} s)` +
        `${summary.failed.length ? `; failed: runs ${summary.failed.join(', ')}` : ''}` +
        `${summary.hung.length ? `; hung: runs ${summary.hung.map((h) => h.run).join(', ')}` : ''}` +
        `${summary.ok === o.runs ? '' : `; their files are in ${root}`}\n`,
    );
  process.exitCode = summary.ok === o.runs ? 0 : 1;
}

const lastLines = (text) => text.trim().split('\n').slice(-3).join(' | ').slice(0, 600);

main().catch((e) => {
  process.stderr.write(`demo soak: ${e.message}\n`);
  process.exitCode = 2;
});
