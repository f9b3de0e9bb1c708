import { describe, expect, it } from 'vitest';
import { CONSOLE_DEFAULTS, renderConsoleBench, runConsoleBench } from '../src/console/console-bench.js';

describe('console benchmark (bench workspace)', () => {
  it('times the console against a real coordinator at a small size, and checks what each page shows', async () => {
    const r = await runConsoleBench(() => {}, {
      jobCounts: [10, 40],
      scrapes: 5,
      roundCounts: [3, 12],
      pageRequests: 3,
      liveUpdates: 4,
      participants: 15,
      participantRequests: 2,
      warmup: 1,
    });
    expect(CONSOLE_DEFAULTS.jobCounts).toEqual([10, 1000, 10_000]);
    expect(r.benchmark).toBe('console');
    expect(r.pass).toBe(true);
    // The gauge read the store at each scrape: every job, the running one included.
    expect(r.metrics.map((m) => [m.jobs, m.jobsCounted])).toEqual([
      [10, 10],
      [40, 40],
    ]);
    expect(r.metrics.every((m) => m.requests === 5 && m.medianMs > 0 && m.p95Ms >= m.medianMs)).toBe(true);
    // The job pages: the two finished jobs, then the larger one again with the participants enrolled.
    expect(r.jobPage.map((p) => [p.rounds, p.participantsEnrolled])).toEqual([
      [3, 0],
      [12, 0],
      [12, 15],
    ]);
    expect(r.jobPage.every((p) => p.charts >= 4)).toBe(true);
    expect(r.jobPage[1]!.bytes).toBeGreaterThan(r.jobPage[0]!.bytes);
    // Every update reached the stream as a frame with the new round counter.
    expect(r.live.requests).toBe(4);
    expect(r.live.debounceMs).toBe(250);
    expect(r.live.minMs).toBeGreaterThan(0);
    expect(r.participants).toMatchObject({ enrolled: 15, connected: 0, rows: 15, requests: 2 });
    expect(Number.isFinite(r.ratios.jobPageLargestOverSmallest)).toBe(true);
    expect(Number.isFinite(r.ratios.metricsLargestOverSmallest)).toBe(true);
    expect(renderConsoleBench(r)).toContain('GET /operator/participants, 15 enrolled, 0 connected');
  }, 60_000);
});
