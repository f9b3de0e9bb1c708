// The coordinator's Prometheus metrics, scraped and parsed as Prometheus would, during and after a real job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { tessera } from '@tessera/proto';
import { LocalFederation } from '@tessera/sdk';
import { parsePrometheus, sampleValue, tempDir, type PrometheusFamily } from '@tessera/test-support';
import type { Coordinator } from '../src/index.js';
import { RawStream } from './grpc-helpers.js';

type Scrape = Map<string, PrometheusFamily>;

/** A small separable table: the label is 1 when x1 + x2 > 0 (plus a little noise). */
function shard(seed: string, rows: number): RawTable {
  const rng = seededRandom(seed);
  const u = () => rng.float();
  const data = Array.from({ length: rows }, () => {
    const x1 = u() * 2 - 1;
    const x2 = u() * 2 - 1;
    return [x1.toFixed(4), x2.toFixed(4), x1 + x2 + (u() - 0.5) * 0.2 > 0 ? '1' : '0'];
  });
  return { source: `${seed}.csv`, columns: ['x1', 'x2', 'label'], rows: data, lineOf: (i) => i + 2 };
}

const scrape = async (c: Coordinator): Promise<Scrape> => parsePrometheus(await c.metrics.registry.metrics());
const value = (s: Scrape, family: string, labels: Record<string, string> = {}, sample = family) =>
  sampleValue(s, family, labels, sample) ?? 0;
const stageCount = (s: Scrape, stage: string) =>
  value(s, 'tessera_stage_duration_seconds', { stage }, 'tessera_stage_duration_seconds_count');
const rounds = (s: Scrape, outcome: string) => value(s, 'tessera_rounds_total', { kind: 'train', outcome });

describe('coordinator metrics (a real federation on loopback, scraped from the registry)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  let coordinator: Coordinator;

  beforeAll(async () => {
    const shards = [0, 1, 2].map((i) => shard(`metrics-${i}`, 60));
    // Plaintext on loopback, so that a raw stream can reach the coordinator without a client certificate.
    fed = await LocalFederation.start({ dir: tmp.dir, shards, runtime: 'inline', secure: 'none', insecure: true });
    coordinator = fed.coordinator!;
  }, 30_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('counts rounds, stage durations, bytes and jobs as a 3-round job runs, and who is connected', async () => {
    const before = await scrape(coordinator);
    expect(before.get('tessera_jobs')?.type).toBe('gauge');
    expect(before.get('tessera_stage_duration_seconds')?.type).toBe('histogram');
    expect(value(before, 'tessera_participants_connected')).toBe(3);
    expect(value(before, 'tessera_jobs', { state: 'completed' })).toBe(0);
    expect(rounds(before, 'completed')).toBe(0);
    // The process's default metrics are there too, in the coordinator's own registry.
    expect(before.has('process_cpu_user_seconds_total')).toBe(true);

    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'label',
      rounds: 3,
      minParticipants: 3,
      secure: { mode: 'none' },
      seed: 5,
    });
    let during: Promise<Scrape> | undefined;
    const final = await fed.analyst.watch(job.id, (_j, message) => {
      if (message.startsWith('round 1/3 completed')) during ??= scrape(coordinator);
    });
    expect(final.status, final.error).toBe('completed');
    const mid = await during!;
    const after = await scrape(coordinator);

    // After round 1: the schema, the statistics and one fit round are recorded; after the job, two fit rounds more.
    expect(value(mid, 'tessera_participants_connected')).toBe(3);
    expect(value(mid, 'tessera_jobs', { state: 'running' })).toBe(1);
    expect(stageCount(mid, 'schema')).toBe(1);
    expect(stageCount(mid, 'statistics')).toBe(1);
    expect(stageCount(mid, 'fit')).toBe(1);
    expect(rounds(mid, 'completed')).toBe(3);
    expect(stageCount(after, 'fit')).toBe(3);
    expect(rounds(after, 'completed')).toBe(5);
    expect(rounds(after, 'failed')).toBe(0);
    expect(value(after, 'tessera_jobs', { state: 'completed' })).toBe(1);
    expect(value(after, 'tessera_jobs', { state: 'running' })).toBe(0);
    expect(value(after, 'tessera_participants_connected')).toBe(3);
    const fitSeconds = final.history.filter((h) => h.stage === 'fit').reduce((sum, h) => sum + h.seconds, 0);
    const fitSum = value(
      after,
      'tessera_stage_duration_seconds',
      { stage: 'fit' },
      'tessera_stage_duration_seconds_sum',
    );
    expect(fitSum).toBeCloseTo(fitSeconds, 9);

    // Every upload took a slot: 3 participants' statistics and 3 fit rounds' updates at least.
    const waits = (s: Scrape) =>
      value(s, 'tessera_upload_slot_wait_seconds', {}, 'tessera_upload_slot_wait_seconds_count');
    expect(waits(mid)).toBeGreaterThanOrEqual(6);
    expect(waits(after)).toBeGreaterThanOrEqual(waits(mid) + 6);

    // Models go out and updates come in on the participants' streams; the analyst's calls are counted apart.
    const bytes = (s: Scrape, way: 'received' | 'sent', service: string) =>
      value(s, `tessera_bytes_${way}_total`, { service });
    expect(bytes(mid, 'received', 'participant')).toBeGreaterThan(bytes(before, 'received', 'participant'));
    expect(bytes(after, 'received', 'participant')).toBeGreaterThan(bytes(mid, 'received', 'participant'));
    expect(bytes(after, 'sent', 'participant')).toBeGreaterThan(bytes(mid, 'sent', 'participant'));
    expect(bytes(after, 'received', 'analyst')).toBeGreaterThan(0);
    expect(bytes(after, 'sent', 'analyst')).toBeGreaterThan(0);

    // The job's lease was taken for it, and given up once it ended.
    expect(value(after, 'tessera_lease_changes_total', { change: 'acquired' })).toBe(1);
    await expect
      .poll(async () => value(await scrape(coordinator), 'tessera_lease_changes_total', { change: 'released' }))
      .toBe(1);
  }, 60_000);

  it('counts a rejected message under its reason, exactly once', async () => {
    const rejected = async (reason: string) =>
      value(await scrape(coordinator), 'tessera_messages_rejected_total', { reason });
    const was = { signature: await rejected('bad_signature'), enrolled: await rejected('not_enrolled') };
    const s = await RawStream.open({ address: fed.address, clientSecurity: { mode: 'insecure' } });
    const payload = tessera.v1.ParticipantMessage.encode({
      session: s.challenge,
      seq: 1,
      hello: { software: 'x', datasets: [] },
    }).finish();
    s.write({ participantId: fed.participants[0]!.id, payload });
    expect((await s.rejection()).reason).toBe('message is not signed');
    await s.closed;
    expect(await rejected('bad_signature')).toBe(was.signature + 1);
    expect(await rejected('not_enrolled')).toBe(was.enrolled);
    // Every reason of the fixed vocabulary is listed from the start, at 0 until it happens.
    const listed = (await scrape(coordinator)).get('tessera_messages_rejected_total')!.samples.map((x) => x.labels);
    expect(listed).toContainEqual({ reason: 'replayed' });
  }, 30_000);
});
