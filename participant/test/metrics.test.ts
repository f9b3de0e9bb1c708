// A participant node's Prometheus metrics, scraped and parsed as Prometheus would: tasks, a consent refusal, bytes,
// the connection, and the epsilon spent per data set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom } from '@tessera/ml';
import { tessera } from '@tessera/proto';
import { LocalFederation } from '@tessera/sdk';
import { parsePrometheus, sampleValue, tempDir } from '@tessera/test-support';
import { loadParticipantConfig, ParticipantMetrics, type ParticipantNode, revokeGrant } from '../src/index.js';

const pb = tessera.v1;

/** A small separable table: the label is 1 when x1 + x2 > 0. */
function shard(seed: string, rows: number): RawTable {
  const rng = seededRandom(seed);
  const data = Array.from({ length: rows }, () => {
    const [x1, x2] = [rng.float() * 2 - 1, rng.float() * 2 - 1];
    return [x1.toFixed(4), x2.toFixed(4), x1 + x2 > 0 ? '1' : '0'];
  });
  return { source: `${seed}.csv`, columns: ['x1', 'x2', 'label'], rows: data, lineOf: (i) => i + 2 };
}

const read = async (m: ParticipantMetrics) => parsePrometheus(await m.registry.metrics());
const tasks = (s: ReturnType<typeof parsePrometheus>, kind: string, outcome: string) =>
  sampleValue(s, 'tessera_participant_tasks_total', { kind, outcome }) ?? 0;

describe('participant metrics (a real federation on loopback)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  let nodes: ParticipantNode[];
  const job = { dataset: 'customers', label: 'label', rounds: 1, secure: { mode: 'none' }, seed: 3 } as const;

  beforeAll(async () => {
    const shards = [0, 1, 2].map((i) => shard(`node-metrics-${i}`, 50));
    // Each node's consent policy grants training (and valuation) to any analyst: revoking it refuses the next job.
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards,
      runtime: 'inline',
      secure: 'none',
      insecure: true,
      valuation: true,
    });
    nodes = fed.participants.map((p) => (p as unknown as { node: ParticipantNode }).node);
  }, 30_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it("counts a job's task steps and bytes, then a consent refusal once its grant is revoked", async () => {
    const [first, second] = nodes;
    const before = await read(first!.metrics);
    expect(sampleValue(before, 'tessera_participant_connected')).toBe(1);
    expect(tasks(before, 'fit', 'done')).toBe(0);

    const trained = await fed.analyst.watch((await fed.analyst.submit({ ...job, minParticipants: 3 })).id);
    expect(trained.status, trained.error).toBe('completed');
    const after = await read(first!.metrics);
    expect(tasks(after, 'schema', 'done')).toBe(1);
    expect(tasks(after, 'statistics', 'done')).toBe(1);
    expect(tasks(after, 'fit', 'done')).toBe(1);
    const bytes = (s: ReturnType<typeof parsePrometheus>, way: string) =>
      sampleValue(s, `tessera_participant_bytes_${way}_total`) ?? 0;
    expect(bytes(after, 'sent')).toBeGreaterThan(bytes(before, 'sent'));
    expect(bytes(after, 'received')).toBeGreaterThan(bytes(before, 'received'));

    // The first merchant withdraws its consent: it refuses the next job's first task, on consent grounds, once.
    revokeGrant(loadParticipantConfig(fed.participants[0]!.configPath), 'train-and-valuation');
    const consent = (s: ReturnType<typeof parsePrometheus>) =>
      sampleValue(s, 'tessera_participant_refusals_total', { kind: 'consent' });
    expect(consent(after)).toBe(0);
    const next = await fed.analyst.watch((await fed.analyst.submit({ ...job, minParticipants: 2 })).id);
    expect(next.status, next.error).toBe('completed');
    const refused = await read(first!.metrics);
    expect(consent(refused)).toBe(1);
    expect(tasks(refused, 'schema', 'refused')).toBe(1);
    expect(tasks(refused, 'fit', 'done')).toBe(1);
    // The others trained on.
    const other = await read(second!.metrics);
    expect(consent(other)).toBe(0);
    expect(tasks(other, 'fit', 'done')).toBe(2);
  }, 60_000);

  it('says whether the node is connected, and counts its reconnects', async () => {
    const node = nodes[2]!;
    const down = new Promise<ReturnType<typeof parsePrometheus>>((resolve) =>
      node.once('disconnected', () => resolve(read(node.metrics))),
    );
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.dropConnection();
    expect(sampleValue(await down, 'tessera_participant_connected')).toBe(0);
    await ready;
    const s = await read(node.metrics);
    expect(sampleValue(s, 'tessera_participant_connected')).toBe(1);
    expect(sampleValue(s, 'tessera_participant_reconnects_total')).toBe(1);
  }, 30_000);
});

describe('participant metrics, part by part', () => {
  it('labels a task by the stage it computes, and reads the epsilon spent per data set at scrape time', async () => {
    let spent = 0.5;
    const m = new ParticipantMetrics(() => [{ dataset: 'sales', spentEpsilon: spent }, { dataset: 'web' }]);
    m.done({ jobId: 'job-1', round: 2, stage: pb.Stage.UNMASK, computation: pb.Stage.FIT });
    m.refused({ jobId: 'job-1', stage: pb.Stage.QUERY }, pb.RefusalKind.REFUSAL_QUERY_RULES);
    m.refused(undefined, pb.RefusalKind.REFUSAL_FAILURE);
    let s = await read(m);
    expect(tasks(s, 'fit', 'done')).toBe(1);
    expect(tasks(s, 'query', 'refused')).toBe(1);
    expect(tasks(s, 'unknown', 'failed')).toBe(1);
    expect(sampleValue(s, 'tessera_participant_refusals_total', { kind: 'query_rules' })).toBe(1);
    expect(sampleValue(s, 'tessera_participant_epsilon_spent', { dataset: 'sales' })).toBe(0.5);
    expect(sampleValue(s, 'tessera_participant_epsilon_spent', { dataset: 'web' })).toBe(0);
    spent = 1.25;
    s = await read(m);
    expect(sampleValue(s, 'tessera_participant_epsilon_spent', { dataset: 'sales' })).toBe(1.25);
  });
});
