// /metrics over HTTP, as Prometheus scrapes it: during a real job the round and stage counters move, and a message
// the coordinator rejects increments its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { tessera } from '@tessera/proto';
import { LocalFederation } from '@tessera/sdk';
import { parsePrometheus, sampleValue, tempDir } from '@tessera/test-support';
import { startCoordinatorConsole, type RunningConsole } from '@tessera/console';
import { RawStream } from '../../../coordinator/test/grpc-helpers.js';
import { call } from './https-client.js';

function shard(seed: string, rows: number): RawTable {
  const rng = seededRandom(seed);
  const data = Array.from({ length: rows }, () => {
    const x1 = rng.float() * 2 - 1;
    const x2 = rng.float() * 2 - 1;
    return [x1.toFixed(4), x2.toFixed(4), x1 + x2 > 0 ? '1' : '0'];
  });
  return { source: `${seed}.csv`, columns: ['x1', 'x2', 'label'], rows: data, lineOf: (i) => i + 2 };
}

describe('the console serves /metrics in the Prometheus exposition format', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  let web: RunningConsole;

  beforeAll(async () => {
    const shards = [0, 1, 2].map((i) => shard(`console-metrics-${i}`, 60));
    // Plaintext on loopback so a raw stream can send a forged message; the console then speaks plain HTTP.
    fed = await LocalFederation.start({ dir: tmp.dir, shards, runtime: 'inline', secure: 'none', insecure: true });
    web = await startCoordinatorConsole(fed.coordinator!, { listen: '127.0.0.1:0', allowPlainHttp: true });
  }, 30_000);
  afterAll(async () => {
    await web?.close();
    await fed?.stop();
    tmp.cleanup();
  });

  const scrape = async () => {
    const r = await call(`${web.url}/metrics`);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(r.body);
  };
  const fits = (s: Awaited<ReturnType<typeof scrape>>) =>
    sampleValue(s, 'tessera_stage_duration_seconds', { stage: 'fit' }, 'tessera_stage_duration_seconds_count') ?? 0;
  const completed = (s: Awaited<ReturnType<typeof scrape>>) =>
    sampleValue(s, 'tessera_rounds_total', { kind: 'train', outcome: 'completed' }) ?? 0;

  it('counts rounds as they complete, scraped over HTTP during the job', async () => {
    const before = await scrape();
    const job = await fed.analyst.submit({
      dataset: 'customers',
      label: 'label',
      rounds: 4,
      minParticipants: 3,
      secure: { mode: 'none' },
      seed: 3,
    });
    const during: Promise<Awaited<ReturnType<typeof scrape>>>[] = [];
    const final = await fed.analyst.watch(job.id, (_j, message) => {
      if (/^round [23]\/4 completed/.test(message)) during.push(scrape());
    });
    expect(final.status, final.error).toBe('completed');
    const [second, third] = await Promise.all(during);
    const after = await scrape();
    expect(fits(before)).toBe(0);
    // Scrapes taken as rounds 2 and 3 completed see at least those rounds, and the last scrape sees all four.
    expect(fits(second!)).toBeGreaterThanOrEqual(2);
    expect(fits(third!)).toBeGreaterThanOrEqual(3);
    expect(fits(after)).toBe(4);
    expect(completed(after)).toBeGreaterThan(completed(before));
    expect(sampleValue(after, 'tessera_jobs', { state: 'completed' })).toBe(1);
  }, 60_000);

  it('counts a rejected message under its reason', async () => {
    const rejected = async () =>
      sampleValue(await scrape(), 'tessera_messages_rejected_total', { reason: 'bad_signature' }) ?? 0;
    const was = await rejected();
    const s = await RawStream.open({ address: fed.address, clientSecurity: { mode: 'insecure' } });
    const payload = tessera.v1.ParticipantMessage.encode({
      session: s.challenge,
      seq: 1,
      hello: { software: 'x', datasets: [] },
    }).finish();
    s.write({ participantId: fed.participants[0]!.id, payload });
    await s.rejection();
    await s.closed;
    expect(await rejected()).toBe(was + 1);
  }, 30_000);
});
