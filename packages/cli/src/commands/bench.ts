// `tessera bench`: the commands and their options live here; the benchmarks themselves are in
// @tessera/bench (bench/), loaded by loadBench() only when a bench command runs (see bench-api.ts).
import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FOUNDATION_DEFAULTS, LOAD_DEFAULTS, loadBench, type BenchLayout, type BenchMode } from '../bench-api.js';
import { UsageError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';

const jsonText = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('performance benchmarks: round latency and coordinator memory (see docs/benchmarks.md)')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera bench foundation                      the foundation benchmark with its defaults (a few minutes)
  $ tessera bench foundation --participants 10 --dims 1000 --rounds 2
  $ tessera bench secagg --participants 100 --dim 100000 --drop 0.1 --json
  $ tessera bench he --participants 100 --dim 100000 --drop 0.1 --json
  $ tessera bench load --participants 500 --dim 10000 --profile
  $ npm run bench                                 every benchmark; JSON in bench-results/

Benchmarks print progress on stderr and their results on stdout (--json for one JSON document).`,
    );

  bench
    .command('foundation')
    .description(
      'round latency and coordinator peak memory of federated training rounds, ' +
        'for n participants and models of d parameters, over gRPC on loopback and in-process',
    )
    .option(
      '--participants <list>',
      'participant counts n, comma-separated',
      FOUNDATION_DEFAULTS.participants.join(','),
    )
    .option(
      '--dims <list>',
      'model lengths d (d-1 features + bias), comma-separated',
      FOUNDATION_DEFAULTS.dims.join(','),
    )
    .option('--rounds <n>', 'training rounds per run', String(FOUNDATION_DEFAULTS.rounds))
    .option(
      '--modes <list>',
      'grpc (coordinator in its own process, participants over loopback), inprocess (no network), or both',
      FOUNDATION_DEFAULTS.modes.join(','),
    )
    .option(
      '--upload-slots <n>',
      "the coordinator's --upload-slots (contributions received at once)",
      String(FOUNDATION_DEFAULTS.uploadSlots),
    )
    .option('--rows <n>', 'data rows per participant', String(FOUNDATION_DEFAULTS.rowsPerParticipant))
    .option(
      '--layout <layout>',
      "participants' columns: onehot (categorical columns of up to 32 categories, one-hot encoded) " +
        'or numeric (d-1 numeric columns)',
      FOUNDATION_DEFAULTS.layout,
    )
    .option('--json', 'print the report as one JSON document instead of tables')
    .option('--out <file>', 'also write the JSON report to this file')
    .option(
      '--check',
      'exit with status 1 when a memory check fails (peak at the largest n >= 2x the peak at the smallest n)',
    )
    .addHelpText(
      'after',
      `
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
       memoryChecks:[{mode, d, nLow, nHigh, ratio, pass}], pass}`,
    )
    .action(
      async (o: {
        participants: string;
        dims: string;
        rounds: string;
        modes: string;
        uploadSlots: string;
        rows: string;
        layout: string;
        json?: boolean;
        out?: string;
        check?: boolean;
      }) => {
        const request = {
          participants: parseIntList('--participants', o.participants, 1),
          dims: parseIntList('--dims', o.dims, 2),
          rounds: parseInt1('--rounds', o.rounds, 1),
          modes: parseModes(o.modes),
          uploadSlots: parseInt1('--upload-slots', o.uploadSlots, 1),
          rowsPerParticipant: parseInt1('--rows', o.rows, 2),
          shards: FOUNDATION_DEFAULTS.shards,
          layout: parseLayout(o.layout),
          command: `tessera ${process.argv.slice(2).join(' ')}`,
        };
        const api = await loadBench();
        const { report, text } = await api.foundation({ ...request, log: api.stderrLog('bench') });
        if (o.out) {
          mkdirSync(dirname(resolve(o.out)), { recursive: true });
          writeFileSync(o.out, jsonText(report));
        }
        if (o.json) printJson(report);
        else process.stdout.write(`${text}\n${o.out ? `report written to ${o.out}\n` : ''}`);
        if (o.check && !report.pass) process.exitCode = 1;
      },
    );
  registerSecAggBench(bench);
  registerHeBench(bench);
  registerLoadBench(bench);
}

const list = (v: string) => v.split(',').map((x) => Number(x.trim()));

/** `tessera bench secagg`: one in-process SecAgg+ round against the plain round, same run, same inputs. */
function registerSecAggBench(bench: Command): void {
  bench
    .command('secagg')
    .description('time one SecAgg+ round against a plain round on the same inputs, in-process (no network)')
    .option('--participants <n>', 'participants in the round (comma-separated for several)', '10')
    .option('--dim <d>', 'vector length (comma-separated for several)', '10000')
    .option('--drop <fraction>', 'share of participants that drop out, each at a random stage', Number, 0.1)
    .option('--json', 'print {plainSeconds, secureSeconds, ratio, unmaskSeconds, ...} (an array for several sizes)')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera bench secagg --participants 10 --dim 10000 --drop 0.1 --json
  $ tessera bench secagg --participants 100,500 --dim 100000 --drop 0.3

plainSeconds: every participant quantises its update and the server sums them.
secureSeconds: the same plus all five SecAgg+ stages for every participant and the server,
run one after another in this process; the secure sum is checked against the plain one.
unmaskSeconds: the server's unmask step alone.
consistency: what the ConsistencyCheck stage costs the server and the participants, and its
share of secureSeconds. See docs/benchmarks.md.`,
    )
    .action(async (o: { participants: string; dim: string; drop: number; json?: boolean }) => {
      const sizes = list(o.participants).flatMap((participants) =>
        list(o.dim).map((dimension) => ({ participants, dimension })),
      );
      const { rows, text } = (await loadBench()).secagg(sizes, o.drop);
      if (o.json) printJson(rows.length === 1 ? rows[0] : rows);
      else process.stdout.write(`${text}\n`);
    });
}

const positiveInt =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
    return n;
  };

const fraction = (v: string): number => {
  const f = Number(v);
  if (!(f >= 0 && f < 1)) throw new Error(`--drop must be a fraction in [0, 1), got ${v}`);
  return f;
};

/** `tessera bench he`: BFV vs Paillier per value, and one sealed round against the masked round, same run. */
function registerHeBench(bench: Command): void {
  bench
    .command('he')
    .description(
      'sealed mode cost: BFV vs Paillier per value, and one sealed SecAgg+ round (BFV) ' +
        'against the masked round, in-process (no network)',
    )
    .option('--participants <n>', 'participants in the round', positiveInt('--participants'), 10)
    .option('--dim <d>', 'vector length', positiveInt('--dim'), 10_000)
    .option('--drop <fraction>', 'share of participants that drop out, each at a random stage', fraction, 0.1)
    .option(
      '--json',
      'print {bfvEncryptUsPerValue, paillierEncryptUsPerValue, speedup, sealedOverMasked, ' +
        'bytesPerValueSealed, bytesPerValueMasked, ...}',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ tessera bench he --participants 10 --dim 10000 --json
  $ tessera bench he --participants 100 --dim 100000 --drop 0.1

bfvEncryptUsPerValue / paillierEncryptUsPerValue: encryption time per vector word, BFV (node-seal,
n = 4096, batched) and Paillier (2048-bit, one value per ciphertext, timed on a sample); speedup is
their ratio. sealedOverMasked: one sealed round (SecAgg+ with the BFV plain modulus, each survivor
encrypts its masked vector, the server adds ciphertexts and subtracts the mask correction, the
analyst decrypts) over the same round in masked mode, same inputs and dropouts, participants run
one after another in this process; both sums are checked word for word against the plain sum.
bytesPerValueSealed / bytesPerValueMasked: one participant's upload per word. Targets: sealed/masked
<= 3, bytes <= 16x. See packages/he/README.md.`,
    )
    .action(async (o: { participants: number; dim: number; drop: number; json?: boolean }) => {
      const api = await loadBench();
      const { figures, text } = await api.he(
        { participants: o.participants, dimension: o.dim, drop: o.drop },
        api.stderrLog('he'),
      );
      if (o.json) printJson(figures);
      else process.stdout.write(`${text}\n`);
    });
}

/** `tessera bench load`: thousands of simulated participants against a real coordinator, masked. */
function registerLoadBench(bench: Command): void {
  bench
    .command('load')
    .description(
      'load harness: n simulated participants (real identities, TLS, SecAgg+) over worker processes against ' +
        'a real coordinator, one masked training job; round latency, stage times, coordinator CPU and memory',
    )
    .option('--participants <list>', 'participant counts n, comma-separated', LOAD_DEFAULTS.participants.join(','))
    .option('--dim <d>', 'model length d (d-1 one-hot features + bias)', String(LOAD_DEFAULTS.dim))
    .option(
      '--rounds <n>',
      'training rounds of the job (latency is the median fit round)',
      String(LOAD_DEFAULTS.rounds),
    )
    .option(
      '--replicas <n>',
      'coordinator processes on one throwaway PostgreSQL (needs coordinator start --store)',
      String(LOAD_DEFAULTS.replicas),
    )
    .option('--workers <n>', 'worker processes the participants are spread over', String(LOAD_DEFAULTS.workers))
    .option('--profile', 'take a CPU profile of the coordinator (node --cpu-prof) and name its hottest functions')
    .option('--profile-dir <dir>', "keep the coordinator's CPU profiles here (load-n<n>.cpuprofile); implies --profile")
    .option('--json', 'print the report as one JSON document instead of tables')
    .option('--out <file>', 'also write the JSON report to this file')
    .addHelpText(
      'after',
      `
Examples:
  $ tessera bench load                                    n = 500, 1000 and 2000, d = 10^4 (tens of minutes)
  $ tessera bench load --participants 500 --profile       one size, with the coordinator's hottest functions
  $ tessera bench load --participants 2000 --replicas 3 --workers 6 --out bench-results/load.json

Starts a coordinator in its own process (TLS, as tessera coordinator start runs it), enrols n
participants with their own identity keys and client certificates, and runs them as real
participant nodes (the participant's own task and SecAgg+ client code on a tiny synthetic data
set per node) spread over --workers processes. It then submits one masked training job with
every participant in every round and measures: round latency (the fit stage's secure sum), the
SecAgg+ stage times the coordinator records (advertise, share keys, masked input, consistency,
unmask), the coordinator's CPU seconds and peak resident set (/proc), messages per second
(signed participant messages plus coordinator messages, over the job) and bytes per participant
on the coordinator's sockets (ss). All processes share this machine's cores. Linux only.

JSON: {benchmark, date, machine, options, runs:[{n, replicas, contributors, roundSecondsMedian, stageSeconds,
       coordinator:{cpuSeconds, cores, peakRssMiB}, messages, bytesPerParticipant, participantMemory, profile}]}`,
    )
    .action(
      async (o: {
        participants: string;
        dim: string;
        rounds: string;
        replicas: string;
        workers: string;
        profile?: boolean;
        profileDir?: string;
        json?: boolean;
        out?: string;
      }) => {
        const request = {
          participants: parseIntList('--participants', o.participants, 2),
          dim: parseInt1('--dim', o.dim, 2),
          rounds: parseInt1('--rounds', o.rounds, 1),
          replicas: parseInt1('--replicas', o.replicas, 1),
          workers: parseInt1('--workers', o.workers, 1),
          profile: o.profile === true || o.profileDir !== undefined,
          ...(o.profileDir ? { profileDir: resolve(o.profileDir) } : {}),
          command: `tessera ${process.argv.slice(2).join(' ')}`,
        };
        const api = await loadBench();
        if (typeof api.load !== 'function')
          throw new UsageError('the installed benchmarks have no load harness: rebuild them with `npm run build`');
        const { report, text } = await api.load({ ...request, log: api.stderrLog('load') });
        if (o.out) {
          mkdirSync(dirname(resolve(o.out)), { recursive: true });
          writeFileSync(o.out, jsonText(report));
        }
        if (o.json) printJson(report);
        else process.stdout.write(`${text}\n${o.out ? `report written to ${o.out}\n` : ''}`);
      },
    );
}

/** "10,100" -> [10, 100]; also accepts 1e5. Every value must be an integer >= min. */
export function parseIntList(flag: string, text: string, min: number): number[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < min)) {
    throw new UsageError(`${flag} must be a comma-separated list of integers of at least ${min}, got "${text}"`);
  }
  return [...new Set(values)];
}

export function parseInt1(flag: string, text: string, min: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min)
    throw new UsageError(`${flag} must be an integer of at least ${min}, got "${text}"`);
  return v;
}

export function parseModes(text: string): BenchMode[] {
  const modes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = modes.filter((m) => m !== 'grpc' && m !== 'inprocess');
  if (modes.length === 0 || bad.length)
    throw new UsageError(`--modes takes grpc, inprocess or both (comma-separated), got "${text}"`);
  return [...new Set(modes)] as BenchMode[];
}

export function parseLayout(text: string): BenchLayout {
  if (text !== 'onehot' && text !== 'numeric') throw new UsageError(`--layout takes onehot or numeric, got "${text}"`);
  return text;
}
