import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FOUNDATION_DEFAULTS, renderFoundation, runFoundation } from '../bench/foundation.js';
import { parseInt1, parseIntList, parseLayout, parseModes, stderrLog } from '../bench/options.js';
import { registerHeBench } from '../bench/he/command.js';
import { registerSecAggBench } from '../bench/secagg/command.js';
import { printJson } from '../ui/output.js';

const jsonText = (value: unknown) => `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;

export function registerBench(program: Command): void {
  const bench = program.command('bench')
    .description('performance benchmarks: round latency and coordinator memory (see docs/benchmarks.md)')
    .addHelpText('after', `
Examples:
  $ tessera bench foundation                      the foundation benchmark with its defaults (a few minutes)
  $ tessera bench foundation --participants 10 --dims 1000 --rounds 2
  $ tessera bench secagg --participants 100 --dim 100000 --drop 0.1 --json
  $ tessera bench he --participants 100 --dim 100000 --drop 0.1 --json
  $ npm run bench                                 every benchmark; JSON in bench-results/

Benchmarks print progress on stderr and their results on stdout (--json for one JSON document).`);

  bench.command('foundation')
    .description('round latency and coordinator peak memory of federated training rounds, for n participants and models of d parameters, over gRPC on loopback and in-process')
    .option('--participants <list>', 'participant counts n, comma-separated', FOUNDATION_DEFAULTS.participants.join(','))
    .option('--dims <list>', 'model lengths d (d-1 features + bias), comma-separated', FOUNDATION_DEFAULTS.dims.join(','))
    .option('--rounds <n>', 'training rounds per run', String(FOUNDATION_DEFAULTS.rounds))
    .option('--modes <list>', 'grpc (coordinator in its own process, participants over loopback), inprocess (no network), or both', FOUNDATION_DEFAULTS.modes.join(','))
    .option('--upload-slots <n>', 'the coordinator\'s --upload-slots (contributions received at once)', String(FOUNDATION_DEFAULTS.uploadSlots))
    .option('--rows <n>', 'data rows per participant', String(FOUNDATION_DEFAULTS.rowsPerParticipant))
    .option('--layout <layout>', 'participants\' columns: onehot (categorical columns of up to 32 categories, one-hot encoded) or numeric (d-1 numeric columns)', FOUNDATION_DEFAULTS.layout)
    .option('--json', 'print the report as one JSON document instead of tables')
    .option('--out <file>', 'also write the JSON report to this file')
    .option('--check', 'exit with status 1 when a memory check fails (peak at the largest n >= 2x the peak at the smallest n)')
    .addHelpText('after', `
Examples:
  $ tessera bench foundation
  $ tessera bench foundation --participants 10,100 --dims 1000,100000 --rounds 3 --out foundation.json
  $ tessera bench foundation --modes grpc --participants 10,50 --dims 100000 --json

Each gRPC run starts a coordinator in its own process (tessera coordinator start --json), enrols
n participant nodes in this process, trains a logistic regression job of --rounds rounds and
reads the coordinator's peak resident memory (VmHWM) from /proc (Linux only). Round latency is
the median fit-stage time of the job's rounds. In-process runs time the same local fits and the
streaming FedAvg aggregation without the network and measure the aggregation's live memory.

JSON: {benchmark, date, machine, options, runs:[{mode, n, d, roundSecondsMedian, coordinatorPeakRssMiB, ...}],
       memoryChecks:[{mode, d, nLow, nHigh, ratio, pass}], pass}`)
    .action(async (o: {
      participants: string; dims: string; rounds: string; modes: string; uploadSlots: string; rows: string;
      layout: string; json?: boolean; out?: string; check?: boolean;
    }) => {
      const report = await runFoundation({
        participants: parseIntList('--participants', o.participants, 1),
        dims: parseIntList('--dims', o.dims, 2),
        rounds: parseInt1('--rounds', o.rounds, 1),
        modes: parseModes(o.modes),
        uploadSlots: parseInt1('--upload-slots', o.uploadSlots, 1),
        rowsPerParticipant: parseInt1('--rows', o.rows, 2),
        shards: FOUNDATION_DEFAULTS.shards,
        layout: parseLayout(o.layout),
        command: `tessera ${process.argv.slice(2).join(' ')}`,
        log: stderrLog('bench'),
      });
      if (o.out) {
        mkdirSync(dirname(resolve(o.out)), { recursive: true });
        writeFileSync(o.out, jsonText(report));
      }
      if (o.json) printJson(report);
      else process.stdout.write(`${renderFoundation(report)}\n${o.out ? `report written to ${o.out}\n` : ''}`);
      if (o.check && !report.pass) process.exitCode = 1;
    });
  registerSecAggBench(bench);
  registerHeBench(bench);
}
