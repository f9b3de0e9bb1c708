// The console benchmark's federation: a real Coordinator (TLS, SQLite in a temp dir) with its web console on loopback,
// an operator and an analyst logged in, and the store filled directly with the jobs, rounds and participants the
// pages then read (no participant runs: what is measured is the console's reading and rendering).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Coordinator,
  issueConsoleLink,
  issueOperatorConsoleLink,
  openStore,
  type JobRecord,
  type JobStatus,
  type RoundRecord,
  type Store,
} from '@tessera/coordinator';
import { startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import { generateSigningKeyPair, sha256Hex } from '@tessera/crypto';
import { ConsoleClient } from './https-timing.js';

export const BENCH_ANALYST = 'bench-analyst';
/** The running job whose live stream is timed: its lease is held by a replica that does not exist, so no runner here
 * touches it. */
export const LIVE_JOB = 'job-bench-live';
/** Rounds the running job plans; it starts with LIVE_START completed. */
export const LIVE_ROUNDS = 10_000;
const LIVE_START = 10;
/** The model stored with each completed round (breast_cancer logistic regression: 30 features and a bias). */
const MODEL = new Float64Array(31).fill(0.01);

export interface ConsoleFixture {
  dir: string;
  coordinator: Coordinator;
  web: RunningConsole;
  ca: string;
  operator: { client: ConsoleClient; cookie: string };
  analyst: { client: ConsoleClient; cookie: string };
  close(): Promise<void>;
}

const trainSpec = (rounds: number) =>
  JSON.stringify({ kind: 'train', dataset: 'patients', rounds, model: { kind: 'logistic' } });

function jobRecord(id: string, o: Partial<JobRecord> & { rounds: number; status: JobStatus }): JobRecord {
  const now = Date.now();
  return {
    id,
    name: o.name ?? id,
    specJson: trainSpec(o.rounds),
    status: o.status,
    roundsCompleted: o.roundsCompleted ?? (o.status === 'completed' ? o.rounds : 0),
    roundsTotal: o.rounds,
    createdAt: o.createdAt ?? now,
    updatedAt: now,
    error: o.status === 'failed' ? 'only 1 of the 3 participants needed answered before the round timed out' : '',
    contextJson: o.contextJson ?? '{}',
    owner: o.owner ?? BENCH_ANALYST,
  };
}

/** A secure training round's record as the coordinator writes it: validation metrics and the SecAgg+ figures. */
export function fitRound(jobId: string, round: number): RoundRecord {
  const t = round / (round + 20);
  return {
    jobId,
    round,
    stage: 'fit',
    attempt: 1,
    status: 'completed',
    contributors: 3,
    dropped: [],
    metrics: {
      loss: 0.69 - 0.55 * t + 0.002 * Math.sin(round),
      accuracy: 0.6 + 0.35 * t,
      auc: 0.7 + 0.28 * t,
      participants: 3,
      threshold: 3,
      degree: 2,
      rejected: 0,
      secagg_advertise_seconds: 0.21 + 0.01 * (round % 7),
      secagg_share_keys_seconds: 0.05,
      secagg_masked_input_seconds: 0.12 + 0.01 * (round % 5),
      secagg_consistency_seconds: 0.02,
      secagg_unmask_seconds: 0.03,
    },
    seconds: 0.45 + 0.01 * (round % 9),
    error: '',
    finishedAt: Date.now(),
  };
}

function setupRound(jobId: string, stage: 'schema' | 'statistics'): RoundRecord {
  return {
    jobId,
    round: 0,
    stage,
    attempt: 1,
    status: 'completed',
    contributors: 3,
    dropped: [],
    metrics: stage === 'statistics' ? { participants: 3, secagg_unmask_seconds: 0.02 } : {},
    seconds: 0.3,
    error: '',
    finishedAt: Date.now(),
  };
}

/** A finished training job of the bench analyst with `rounds` completed rounds (and its schema and statistics). */
export async function addFinishedJob(store: Store, id: string, rounds: number): Promise<void> {
  await store.createJob(jobRecord(id, { rounds, status: 'running', name: `${rounds} rounds` }));
  await store.addRound(setupRound(id, 'schema'));
  await store.addRound(setupRound(id, 'statistics'));
  for (let i = 1; i <= rounds; i++) await store.completeRound(fitRound(id, i), MODEL, i);
  await store.updateJob(id, {
    status: 'completed',
    contextJson: JSON.stringify({ best: { round: rounds, loss: fitRound(id, rounds).metrics.loss } }),
  });
}

const FILLER_STATUSES: JobStatus[] = ['completed', 'completed', 'completed', 'failed', 'cancelled'];

/** Adds finished jobs of another analyst until the store holds `total` jobs in all (the gauge counts them all). */
export async function fillJobs(store: Store, from: number, total: number): Promise<void> {
  const t0 = Date.now() - total * 1000;
  for (let i = from; i < total; i++)
    await store.createJob(
      jobRecord(`job-filler-${i}`, {
        rounds: 10,
        status: FILLER_STATUSES[i % FILLER_STATUSES.length] ?? 'completed',
        owner: 'filler-analyst',
        createdAt: t0 + i * 1000,
      }),
    );
}

/** Enrols `n` participants the way an enrolment token does (none of them ever connects). */
export async function enrolParticipants(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const hash = sha256Hex(randomBytes(32));
    const name = `hospital-${String(i).padStart(4, '0')}`;
    await store.addEnrollmentToken(hash, name);
    const r = await store.redeemEnrollmentToken(hash, {
      id: `p-${randomBytes(8).toString('hex')}`,
      name,
      publicKey: generateSigningKeyPair().publicKey,
      enrolledAt: Date.now(),
    });
    if (!r.ok) throw new Error(`enrolling ${name} in the bench store failed: ${r.reason}`);
  }
}

export async function startConsoleFixture(): Promise<ConsoleFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-console-'));
  mkdirSync(dir, { recursive: true });
  // The running job goes in before the coordinator starts, leased for an hour to a replica that is not there: the
  // scheduler never takes it, so its record changes only when the bench changes it.
  const seed = await openStore(join(dir, 'coordinator.sqlite'));
  try {
    await seed.createJob(
      jobRecord(LIVE_JOB, { rounds: LIVE_ROUNDS, status: 'running', roundsCompleted: LIVE_START, name: 'live' }),
    );
    await seed.addRound(setupRound(LIVE_JOB, 'schema'));
    await seed.addRound(setupRound(LIVE_JOB, 'statistics'));
    for (let i = 1; i <= LIVE_START; i++) await seed.completeRound(fitRound(LIVE_JOB, i), MODEL, i);
    const taken = await seed.acquireJobLeases('replica-elsewhere', 3_600_000, 1);
    if (!taken.some((l) => l.jobId === LIVE_JOB)) throw new Error(`could not lease ${LIVE_JOB} in ${dir}`);
  } finally {
    await seed.close();
  }
  const coordinator = await Coordinator.start({ dataDir: dir, listen: '127.0.0.1:0' });
  const web = await startCoordinatorConsole(coordinator, { listen: '127.0.0.1:0' });
  const ca = readFileSync(join(dir, 'tls', 'anchor.pem'), 'utf8');
  await coordinator.store.registerAnalyst(BENCH_ANALYST, generateSigningKeyPair().publicKey);
  const operatorClient = new ConsoleClient(web.url, ca);
  const analystClient = new ConsoleClient(web.url, ca);
  const operator = {
    client: operatorClient,
    cookie: await operatorClient.login((await issueOperatorConsoleLink(dir)).token),
  };
  const analyst = {
    client: analystClient,
    cookie: await analystClient.login(
      (await issueConsoleLink(coordinator.store, { role: 'analyst', analystId: BENCH_ANALYST })).token,
    ),
  };
  return {
    dir,
    coordinator,
    web,
    ca,
    operator,
    analyst,
    close: async () => {
      operatorClient.close();
      analystClient.close();
      await web.close();
      await coordinator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
