// `npm run bench` part "console": the coordinator's web console (issue 20) over HTTPS on loopback, against a real
// Coordinator (TLS, SQLite in a temp dir) whose store the bench fills directly (console-fixture.ts):
//   1. GET /metrics (no login, the coordinator's own registry: tessera_jobs counts the store's jobs at each scrape)
//      with 10, 1,000 and 10,000 jobs in the store;
//   2. GET /jobs/:id as the analyst (the job page: header and live section, server-rendered, with SVG charts by round
//      and the protocol table) for a finished training job of 10, 100 and 1,000 rounds;
//   3. the live update: a server-sent events reader on /jobs/:id/events of a running job; the bench records a round
//      (completeRound: the job record's roundsCompleted and updatedAt change), publishes a job event as a runner
//      does, and times until the first `data:` frame showing the new round counter. The console debounces changes
//      by LIVE_DEBOUNCE_MS (250 ms) by design, and the latency reported includes it (nothing is subtracted);
//   4. GET /operator/participants with 1,000 participants enrolled and none connected.
// Each request is timed from sending it to the last byte of the body, on one kept-alive connection.
import { machineInfo, type MachineInfo } from '../machine.js';
import { fixed, median, secondsSince } from '../stats.js';
import { benchTable } from '../table.js';
import {
  addFinishedJob,
  enrolParticipants,
  fillJobs,
  fitRound,
  LIVE_JOB,
  LIVE_ROUNDS,
  startConsoleFixture,
  type ConsoleFixture,
} from './console-fixture.js';
import { openSse } from './https-timing.js';

/** The console's debounce of live changes (packages/console/src/http/live-stream.ts LIVE_DEBOUNCE_MS). */
export const CONSOLE_DEBOUNCE_MS = 250;

export interface ConsoleBenchOptions {
  /** Jobs in the store for the /metrics scrapes (each size in turn, growing). */
  jobCounts: number[];
  scrapes: number;
  /** Rounds of history of the finished jobs whose page is fetched. */
  roundCounts: number[];
  pageRequests: number;
  liveUpdates: number;
  /** Participants enrolled (none connected) for /operator/participants. */
  participants: number;
  participantRequests: number;
  /** Untimed requests before each timed series. */
  warmup: number;
}

export const CONSOLE_DEFAULTS: ConsoleBenchOptions = {
  jobCounts: [10, 1000, 10_000],
  scrapes: 200,
  roundCounts: [10, 100, 1000],
  pageRequests: 50,
  liveUpdates: 100,
  participants: 1000,
  participantRequests: 50,
  warmup: 5,
};

export interface Latency {
  requests: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface ConsoleBenchReport {
  benchmark: 'console';
  date: string;
  machine: MachineInfo;
  options: ConsoleBenchOptions;
  metrics: (Latency & { jobs: number; bytes: number; jobsCounted: number })[];
  jobPage: (Latency & { rounds: number; bytes: number; charts: number; participantsEnrolled: number })[];
  live: Latency & { debounceMs: number; minMs: number; frames: number; extraFrames: number };
  participants: Latency & { enrolled: number; connected: number; bytes: number; rows: number };
  ratios: { jobPageLargestOverSmallest: number; metricsLargestOverSmallest: number };
  seconds: number;
  /** Every response was 200 with what it should show, the gauge counted every job, every update reached the stream. */
  pass: boolean;
}

/** The value at quantile q of xs (nearest rank). */
function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
}

function latencyOf(ms: readonly number[]): Latency {
  return {
    requests: ms.length,
    medianMs: fixed(median(ms), 2),
    p95Ms: fixed(quantile(ms, 0.95), 2),
    maxMs: fixed(Math.max(...ms), 2),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times `n` GETs of `path` after `warmup` untimed ones; `check` says whether a response is what it should be. */
async function series(
  f: ConsoleFixture['operator'],
  path: string,
  n: number,
  warmup: number,
  check: (status: number, body: string) => boolean,
): Promise<{ latency: Latency; bytes: number; body: string; ok: boolean }> {
  const ms: number[] = [];
  let ok = true;
  let last = { bytes: 0, body: '' };
  for (let i = 0; i < warmup + n; i++) {
    const r = await f.client.get(path, f.cookie ? { cookie: f.cookie, accept: 'text/html' } : {});
    ok &&= check(r.status, r.body);
    if (i >= warmup) ms.push(r.ms);
    last = r;
  }
  return { latency: latencyOf(ms), bytes: last.bytes, body: last.body, ok };
}

/** The jobs the tessera_jobs gauge reports, summed over states. */
function jobsCounted(exposition: string): number {
  let n = 0;
  for (const m of exposition.matchAll(/^tessera_jobs\{state="\w+"\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

/** The round counter ("i / n") a live fragment shows: i, or undefined. */
function counterOf(data: string): number | undefined {
  try {
    const html = (JSON.parse(data) as { html?: string }).html ?? '';
    const m = /data-testid="round-counter">(\d+) \/ \d+</.exec(html);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export async function runConsoleBench(
  log: (line: string) => void,
  o: ConsoleBenchOptions = CONSOLE_DEFAULTS,
): Promise<ConsoleBenchReport> {
  const t0 = performance.now();
  const machine = machineInfo();
  const f = await startConsoleFixture();
  const store = f.coordinator.store;
  let pass = true;
  try {
    log(`coordinator and console at ${f.web.url} (data in ${f.dir})`);

    const metrics: ConsoleBenchReport['metrics'] = [];
    let jobs = 1; // the running job of part 3
    for (const target of o.jobCounts) {
      await fillJobs(store, jobs, target);
      jobs = Math.max(jobs, target);
      const anonymous = { client: f.operator.client, cookie: '' };
      const s = await series(anonymous, '/metrics', o.scrapes, o.warmup, (st) => st === 200);
      const counted = jobsCounted(s.body);
      pass &&= s.ok && counted === jobs;
      metrics.push({ jobs, ...s.latency, bytes: s.bytes, jobsCounted: counted });
      log(`/metrics, ${jobs} jobs: median ${s.latency.medianMs} ms, p95 ${s.latency.p95Ms} ms (gauge: ${counted})`);
    }

    const jobPage: ConsoleBenchReport['jobPage'] = [];
    const pageOf = async (rounds: number, participantsEnrolled: number) => {
      const id = `job-bench-${rounds}-rounds`;
      const s = await series(
        f.analyst,
        `/jobs/${id}`,
        o.pageRequests,
        o.warmup,
        (st, body) => st === 200 && body.includes(`data-testid="round-counter">${rounds} / ${rounds}<`),
      );
      const charts = (s.body.match(/<svg /g) ?? []).length;
      pass &&= s.ok && charts >= 4; // loss, accuracy, auc, seconds
      jobPage.push({ rounds, ...s.latency, bytes: s.bytes, charts, participantsEnrolled });
      log(
        `/jobs/:id, ${rounds} rounds, ${participantsEnrolled} participants enrolled: ` +
          `median ${s.latency.medianMs} ms, p95 ${s.latency.p95Ms} ms, ${s.bytes} bytes, ${charts} charts`,
      );
    };
    for (const rounds of o.roundCounts) {
      await addFinishedJob(store, `job-bench-${rounds}-rounds`, rounds);
      await pageOf(rounds, 0);
    }

    log(`live updates of ${LIVE_JOB}: ${o.liveUpdates}`);
    const live = await liveLatency(f, o.liveUpdates);
    pass &&= live.ok;

    log(`enrolling ${o.participants} participants`);
    await enrolParticipants(store, o.participants);
    const p = await series(f.operator, '/operator/participants', o.participantRequests, o.warmup, (st) => st === 200);
    const rows = (p.body.match(/data-testid="participant-[^"]+-state">offline</g) ?? []).length;
    pass &&= p.ok && rows === o.participants;
    const participants = {
      enrolled: o.participants,
      connected: f.coordinator.registry.connected().length,
      ...p.latency,
      bytes: p.bytes,
      rows,
    };
    log(`/operator/participants, ${o.participants} enrolled: median ${p.latency.medianMs} ms, ${p.bytes} bytes`);
    // The job page lists the participants' names too (for refusals and privacy spend): the largest page again.
    const largest = Math.max(...o.roundCounts);
    await pageOf(largest, o.participants);

    const byRounds = (r: number) => jobPage.find((x) => x.rounds === r && x.participantsEnrolled === 0)?.medianMs;
    const byJobs = (n: number) => metrics.find((x) => x.jobs === n)?.medianMs;
    const ratio = (a: number | undefined, b: number | undefined) =>
      a !== undefined && b !== undefined ? fixed(a / b, 2) : Number.NaN;
    return {
      benchmark: 'console',
      date: new Date().toISOString(),
      machine,
      options: o,
      metrics,
      jobPage,
      live: live.latency,
      participants,
      ratios: {
        jobPageLargestOverSmallest: ratio(byRounds(largest), byRounds(Math.min(...o.roundCounts))),
        metricsLargestOverSmallest: ratio(byJobs(Math.max(...jobsOf(metrics))), byJobs(Math.min(...jobsOf(metrics)))),
      },
      seconds: fixed(secondsSince(t0), 1),
      pass,
    };
  } finally {
    await f.close();
  }
}

const jobsOf = (rows: readonly { jobs: number }[]) => rows.map((r) => r.jobs);

/**
 * The live part: each update records the next round (the job record changes), publishes the job's event and waits
 * for the first frame whose round counter shows it; then a pause of 20 to 120 ms (varied, so that updates fall at
 * different points of the stream's 1 s record poll). The poll also sees each changed record: when it does so after
 * an update's frame, its own debounced frame usually carries the next update (then under 250 ms after that publish);
 * frames beyond one per update are counted.
 */
async function liveLatency(
  f: ConsoleFixture,
  updates: number,
): Promise<{ latency: ConsoleBenchReport['live']; ok: boolean }> {
  const job = await f.coordinator.store.getJob(LIVE_JOB);
  if (!job) throw new Error(`${LIVE_JOB} is missing from the bench store in ${f.dir}`);
  const sse = await openSse(`${f.web.url}/jobs/${LIVE_JOB}/events`, f.analyst.cookie, f.ca);
  const ms: number[] = [];
  let ok = true;
  try {
    let done = job.roundsCompleted;
    await sse.waitFor(0, (d) => counterOf(d) === done + 1);
    const first = sse.frames.length;
    for (let i = 0; i < updates; i++) {
      done += 1;
      await f.coordinator.store.completeRound(fitRound(LIVE_JOB, done), new Float64Array(31), done);
      const from = sse.frames.length;
      const t = performance.now();
      f.coordinator.events.publish(LIVE_JOB, `round ${done}/${LIVE_ROUNDS} completed: loss 0.2, accuracy 0.9`);
      const target = done + 1;
      const frame = await sse.waitFor(from, (d) => counterOf(d) === target).catch(() => undefined);
      if (!frame) {
        ok = false;
        break;
      }
      ms.push(frame.at - t);
      await sleep(20 + ((i * 37) % 101));
    }
    const frames = sse.frames.length - first;
    return {
      latency: {
        ...latencyOf(ms),
        debounceMs: CONSOLE_DEBOUNCE_MS,
        minMs: fixed(Math.min(...ms), 2),
        frames,
        extraFrames: frames - ms.length,
      },
      ok: ok && ms.length === updates,
    };
  } finally {
    sse.close();
  }
}

export function renderConsoleBench(r: ConsoleBenchReport): string {
  const lat = (l: Latency) => [l.requests, l.medianMs, l.p95Ms, l.maxMs];
  return [
    `Web console over HTTPS on loopback (${r.seconds} s; pass: ${r.pass})`,
    benchTable(
      ['GET /metrics', 'scrapes', 'median ms', 'p95 ms', 'max ms', 'bytes'],
      r.metrics.map((m) => [`${m.jobs} jobs`, ...lat(m), m.bytes]),
      { 1: 0, 2: 2, 3: 2, 4: 2 },
    ),
    '',
    benchTable(
      ['GET /jobs/:id', 'participants', 'requests', 'median ms', 'p95 ms', 'max ms', 'bytes', 'charts'],
      r.jobPage.map((p) => [`${p.rounds} rounds`, p.participantsEnrolled, ...lat(p), p.bytes, p.charts]),
      { 3: 2, 4: 2, 5: 2 },
    ),
    '',
    `live update (publish to data: frame, ${r.live.debounceMs} ms debounce included): median ${r.live.medianMs} ms, ` +
      `p95 ${r.live.p95Ms} ms, min ${r.live.minMs} ms, max ${r.live.maxMs} ms over ${r.live.requests} updates ` +
      `(${r.live.extraFrames} extra frames from the record poll)`,
    `GET /operator/participants, ${r.participants.enrolled} enrolled, ${r.participants.connected} connected: ` +
      `median ${r.participants.medianMs} ms, p95 ${r.participants.p95Ms} ms, ${r.participants.bytes} bytes`,
    `ratios: job page ${r.ratios.jobPageLargestOverSmallest}x (largest over smallest history), ` +
      `/metrics ${r.ratios.metricsLargestOverSmallest}x (most over fewest jobs)`,
  ].join('\n');
}
