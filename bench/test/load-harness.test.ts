// `tessera bench load` end to end at a tiny size: a real coordinator process, six enrolled participants over two
// worker processes, one masked round; the report's figures must be there and sane.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tessera-load-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tessera = (args: string[]) => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build (npm test does it first)`);
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 90_000 });
};

interface Run {
  n: number;
  contributors: number;
  roundSeconds: number[];
  roundSecondsMedian: number;
  stageSeconds: Record<string, number>;
  coordinator: { cpuSeconds: { job: number; perRound: number }; peakRssMiB: number[] };
  messages: { received: number; sent: number; perSecond: number };
  bytesPerParticipant: { up: number; down: number };
  participantMemory: { perParticipantMiB: number };
  profile: { busySeconds: number; top: { name: string; selfSeconds: number }[]; bottleneck: { name: string } };
}

describe('tessera bench load', () => {
  it('prints its usage', () => {
    const r = tessera(['bench', 'load', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: tessera bench load');
  });

  it('runs six masked participants over two workers and reports every figure', () => {
    const out = join(dir, 'load.json');
    const args = ['--participants', '6', '--dim', '100', '--workers', '2', '--profile', '--json', '--out', out];
    const r = tessera(['bench', 'load', ...args]);
    expect(r.stderr).toContain('6 participants connected');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { benchmark: string; runs: Run[] };
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(report);
    expect(report.benchmark).toBe('load');
    const [run] = report.runs;
    expect(run?.n).toBe(6);
    expect(run?.contributors).toBe(6);
    expect(run?.roundSeconds).toHaveLength(1);
    expect(run?.roundSecondsMedian).toBeGreaterThan(0);
    const stages = ['advertise', 'shareKeys', 'maskedInput', 'consistency', 'unmask'];
    expect(Object.keys(run?.stageSeconds ?? {}).sort()).toEqual([...stages].sort());
    for (const s of stages) expect(run?.stageSeconds[s], s).toBeGreaterThan(0);
    // The stages are the round's secure sum: together they cannot take longer than the round.
    const total = stages.reduce((a, s) => a + (run?.stageSeconds[s] ?? 0), 0);
    expect(total).toBeLessThanOrEqual((run?.roundSecondsMedian ?? 0) + 0.01);
    expect(run?.coordinator.cpuSeconds.job).toBeGreaterThan(0);
    // The training rounds' share of the job's CPU (from the end of the statistics stage).
    expect(Number.isFinite(run?.coordinator.cpuSeconds.perRound)).toBe(true);
    expect(run?.coordinator.cpuSeconds.perRound).toBeLessThanOrEqual(run?.coordinator.cpuSeconds.job ?? 0);
    expect(run?.coordinator.peakRssMiB[0]).toBeGreaterThan(10);
    // Each participant at least says hello and answers the five SecAgg+ steps of every secure sum.
    expect(run?.messages.received).toBeGreaterThanOrEqual(6 * 5);
    expect(run?.messages.sent).toBeGreaterThanOrEqual(6 * 5);
    // A masked vector of 100 ring words is 400 bytes before framing.
    expect(run?.bytesPerParticipant.up).toBeGreaterThan(400);
    expect(run?.participantMemory.perParticipantMiB).toBeGreaterThan(0);
    expect(run?.profile.busySeconds).toBeGreaterThan(0);
    expect(run?.profile.top.length).toBeGreaterThan(0);
    expect(run?.profile.bottleneck.name).toMatch(/\S/);
  });
});
