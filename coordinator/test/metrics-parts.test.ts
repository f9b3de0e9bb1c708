// The coordinator metrics' parts one at a time: round failure reasons from the stage runner's own words, upload-slot
// waits, and the fixed label vocabularies.
import { describe, expect, it } from 'vitest';
import { tessera } from '@tessera/proto';
import { parsePrometheus, sampleValue } from '@tessera/test-support';
import { CoordinatorMetrics, ROUND_FAILURE_REASONS } from '../src/index.js';
import { Collector } from '../src/rounds/collectors.js';
import { runStage } from '../src/rounds/stage.js';
import type { ParticipantSession } from '../src/service/participant-session.js';
import { UploadSlots } from '../src/service/upload-slots.js';

const metricsWith = () =>
  new CoordinatorMetrics({
    jobCounts: async () => ({ pending: 2, running: 1, completed: 0, failed: 0, cancelled: 0 }),
    connectedParticipants: () => 7,
  });
const scrape = async (m: CoordinatorMetrics) => parsePrometheus(await m.registry.metrics());

/** A participant that takes its task and never answers. */
function silentSession(id: string): ParticipantSession {
  return {
    participantId: id,
    send: async () => undefined,
    openTask: () => undefined,
    closeTask: () => undefined,
  } as unknown as ParticipantSession;
}

class Waiting extends Collector<true> {}

/** What runStage gives as the one participant's failure: on a deadline, or with the job cancelled. */
async function stageFailure(how: 'deadline' | 'cancel' | 'disconnect'): Promise<string> {
  const abort = new AbortController();
  const key = { jobId: 'job-1', round: 1, stage: tessera.v1.Stage.FIT };
  let open: Waiting | undefined;
  const outcome = runStage<true>({
    key,
    sessions: [silentSession('p-1')],
    request: () => ({ message: {} }),
    collector: (_s, settle) => (open = new Waiting(key, settle)),
    deadlineMs: how === 'deadline' ? 20 : 10_000,
    signal: abort.signal,
  });
  if (how === 'cancel') setTimeout(() => abort.abort('cancelled'), 10);
  if (how === 'disconnect') setTimeout(() => open!.onDisconnect(), 10);
  return (await outcome).failures.get('p-1')!;
}

describe('coordinator metrics, part by part', () => {
  it("classes a failed round by the stage runner's and collectors' own words, never by its free text", async () => {
    const m = metricsWith();
    const failed = (error: string) => m.round('train', { stage: 'fit', status: 'failed', seconds: 1.5, error });
    failed(`1 of 3 participants contributed, fewer than minParticipants = 2 (p-1: ${await stageFailure('deadline')})`);
    failed(`secure aggregation failed: 1 survivors (p-2: ${await stageFailure('cancel')})`);
    failed(
      `0 of 1 participants contributed, fewer than minParticipants = 1 (p-3: ${await stageFailure('disconnect')})`,
    );
    failed('secure aggregation failed: the unmasking shares do not agree');
    failed('1 of 3 participants reported a schema, fewer than minParticipants = 3 (p-1: a bad report)');
    failed('something nobody foresaw');
    m.round('query', { stage: 'query', status: 'completed', seconds: 0.2, error: '' });
    const s = await scrape(m);
    const reasons = Object.fromEntries(
      ROUND_FAILURE_REASONS.map((r) => [r, sampleValue(s, 'tessera_round_failures_total', { reason: r })]),
    );
    expect(reasons).toEqual({
      cancelled: 1,
      timeout: 1,
      disconnected: 1,
      secure_aggregation: 1,
      too_few_contributors: 1,
      error: 1,
    });
    expect(s.get('tessera_round_failures_total')!.samples).toHaveLength(ROUND_FAILURE_REASONS.length);
    expect(sampleValue(s, 'tessera_rounds_total', { kind: 'train', outcome: 'failed' })).toBe(6);
    expect(sampleValue(s, 'tessera_rounds_total', { kind: 'query', outcome: 'completed' })).toBe(1);
    const fit = (sample: string, le?: string) =>
      sampleValue(s, 'tessera_stage_duration_seconds', { stage: 'fit', ...(le ? { le } : {}) }, sample);
    expect(fit('tessera_stage_duration_seconds_count')).toBe(6);
    expect(fit('tessera_stage_duration_seconds_bucket', '1')).toBe(0);
    expect(fit('tessera_stage_duration_seconds_bucket', '2.5')).toBe(6);
    expect(fit('tessera_stage_duration_seconds_sum')).toBe(9);
  });

  it('reads the job and connection gauges at scrape time', async () => {
    const s = await scrape(metricsWith());
    expect(sampleValue(s, 'tessera_jobs', { state: 'pending' })).toBe(2);
    expect(sampleValue(s, 'tessera_jobs', { state: 'running' })).toBe(1);
    expect(sampleValue(s, 'tessera_participants_connected')).toBe(7);
  });

  it('times how long an upload waits for a slot', async () => {
    const m = metricsWith();
    const slots = new UploadSlots(1, 60_000, (seconds) => m.slotWait(seconds));
    const first = await slots.acquire(4);
    const second = slots.acquire(4);
    await new Promise((r) => setTimeout(r, 60));
    slots.release(first);
    slots.release(await second);
    const s = await scrape(m);
    const wait = (sample: string, labels = {}) => sampleValue(s, 'tessera_upload_slot_wait_seconds', labels, sample);
    expect(wait('tessera_upload_slot_wait_seconds_count')).toBe(2);
    expect(wait('tessera_upload_slot_wait_seconds_bucket', { le: '0.01' })).toBe(1);
    expect(wait('tessera_upload_slot_wait_seconds_sum')).toBeGreaterThanOrEqual(0.05);
  });

  it("counts participants' refusals on their owners' terms, by kind, and not their failures", async () => {
    const m = metricsWith();
    const kinds = tessera.v1.RefusalKind;
    for (const k of [kinds.REFUSAL_CONSENT, kinds.REFUSAL_CONSENT, kinds.REFUSAL_PRIVACY, kinds.REFUSAL_FAILURE])
      m.participantRefusal(k);
    m.participantRefusal(undefined);
    m.privacyRefusal('precheck', 3);
    const s = await scrape(m);
    const refusals = s.get('tessera_privacy_refusals_total')!.samples.map((x) => [x.labels.kind, x.value]);
    expect(Object.fromEntries(refusals)).toEqual({ privacy: 1, consent: 2, query_rules: 0, data: 0, precheck: 3 });
  });
});
