import { describe, expect, it } from 'vitest';
import { tessera } from '@tessera/proto';
import { bytesOf, MODEL_LENGTH, spec, useSecureBench } from './secure-bench.js';
import { fits } from './helpers.js';

// SecAgg+ jobs that go well: the masked model matches a plaintext run, and the coordinator sees masked words only.
// Dropouts: secure-rounds-dropouts.test.ts; refused input: secure-rounds-refusals.test.ts.

const pb = tessera.v1;

/** Packed-varint bytes of some uint32 words (how WordChunk.words travel). */
function varints(words: ArrayLike<number>): Buffer {
  const out: number[] = [];
  for (let i = 0; i < words.length; i++) {
    let v = words[i] >>> 0;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  }
  return Buffer.from(out);
}

describe('secure aggregation (SecAgg+) over real gRPC on loopback', () => {
  const bench = useSecureBench();
  const { transcript, startNodes, run, receivedMasked, inputsOf, expectModelsFromSurvivors } = bench;

  it('a masked five-participant job completes, reports its SecAgg+ parameters, matches a plaintext run', async () => {
    const dataset = 'five';
    // The nodes opt in to plaintext (secure: none) for the comparison run; masked rounds are always accepted.
    await startNodes(dataset, 5, () => ({ secure: 'none' }));
    const { job: masked } = await run(spec(dataset, { rounds: 3 }));
    expect(masked.status, masked.error).toBe('completed');
    // The same nodes (so the same local seeds), data and seed, aggregated in the clear.
    const { job: plain } = await run(spec(dataset, { rounds: 3, secure: { mode: 'none' } }));
    expect(plain.status, plain.error).toBe('completed');

    const rounds = fits(masked);
    expect(rounds.map((r) => [r.round, r.status, r.attempt, r.contributors])).toEqual([
      [1, 'completed', 1, 5],
      [2, 'completed', 1, 5],
      [3, 'completed', 1, 5],
    ]);
    for (const r of rounds) {
      // Five participants: the complete graph (degree 4), threshold max(2, minParticipants) = 3.
      expect(r.metrics).toMatchObject({ threshold: 3, degree: 4, rejected: 0, participants: 5 });
      expect(r.dropped).toEqual([]);
    }
    expect(masked.history.find((h) => h.stage === 'statistics')).toMatchObject({
      status: 'completed',
      contributors: 5,
      metrics: { threshold: 3, degree: 4 },
    });
    await expectModelsFromSurvivors(masked);

    // Quantisation (20 bits over a clip of 10) adds noise of about 1e-5 per weight: the models agree closely.
    const a = (await bench.analyst.result(masked.id)).weights;
    const b = (await bench.analyst.result(plain.id)).weights;
    expect(a).toHaveLength(MODEL_LENGTH);
    const gap = Math.max(...a.map((w, i) => Math.abs(w - b[i])));
    expect(gap).toBeLessThan(1e-3);
    expect(gap).toBeGreaterThan(0); // and they are not the same run twice
    for (const [m, p] of fits(masked).map((r, i) => [r, fits(plain)[i]] as const)) {
      expect(Math.abs(m.metrics.auc - p.metrics.auc)).toBeLessThan(0.01);
      expect(Math.abs(m.metrics.loss - p.metrics.loss)).toBeLessThan(0.01);
      expect(m.metrics.evaluated_examples).toBe(p.metrics.evaluated_examples);
    }
    expect(fits(masked, 3)[0].metrics.auc).toBeGreaterThan(0.95);
  });

  it('the coordinator never receives an unmasked contribution: the transcript holds masked words only', async () => {
    const dataset = 'transcript';
    const four = await startNodes(dataset, 4);
    const { job } = await run(spec(dataset, { rounds: 1 }));
    expect(job.status, job.error).toBe('completed');
    const ids = new Set(four.map((n) => n.id));
    const messages = transcript.filter((t) => ids.has(t.participantId));

    // No plaintext vectors in a masked job; 'done' closes a masked upload and says nothing about the data.
    expect(messages.filter((t) => t.message.body === 'update')).toEqual([]);
    for (const t of messages.filter((m) => m.message.body === 'done')) {
      expect(t.message.done!.metrics ?? []).toEqual([]);
      expect(Number(t.message.done!.numExamples ?? 0)).toBe(0);
    }

    // Statistics, fit and evaluation were each securely summed over all four participants.
    const sums = [pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE].map((computation) =>
      inputsOf({ jobId: job.id, round: computation === pb.Stage.STATISTICS ? 0 : 1, computation, attempt: 1 }),
    );
    const inputs = sums.flatMap((s) => [...s.values()]);
    for (const s of sums) expect([...s.keys()].sort()).toEqual([...ids].sort());
    expect(inputs).toHaveLength(12);

    // Each masked upload differs from its input in (almost) every coordinate.
    for (const { input, output } of inputs) {
      expect(output.length).toBe(input.length);
      let same = 0;
      for (let i = 0; i < input.length; i++) if (input[i] === output[i]) same++;
      expect(same).toBeLessThanOrEqual(1);
    }

    // No 16-byte window of any input (four consecutive words, little- or big-endian, or as packed varints
    // when those are long enough to be distinctive) occurs in any recorded payload ...
    const windows = new Set<string>();
    const varintWindows: Buffer[] = [];
    for (const { input } of inputs) {
      for (let i = 0; i + 4 <= input.length; i++) {
        const w = input.subarray(i, i + 4);
        const le = Buffer.from(bytesOf(w));
        windows.add(le.toString('hex'));
        windows.add(Buffer.from(le).swap32().toString('hex'));
        const v = varints(w);
        if (v.length >= 12) varintWindows.push(v);
      }
    }
    const leaks = (payload: Buffer) => {
      for (let i = 0; i + 16 <= payload.length; i++) if (windows.has(payload.toString('hex', i, i + 16))) return true;
      return varintWindows.some((v) => payload.includes(v));
    };
    // (the detector does see a contribution sent in the clear)
    const inTheClear = Buffer.from(
      pb.ParticipantMessage.encode({
        masked: { chunk: { offset: 0, total: 32, words: [...sums[1].values()][0].input as unknown as number[] } },
      }).finish(),
    );
    expect(leaks(inTheClear)).toBe(true);
    expect(varintWindows.length).toBeGreaterThan(0);
    for (const t of messages)
      expect(
        leaks(Buffer.from(pb.ParticipantMessage.encode(t.message).finish())),
        `a ${t.message.body} message from ${t.participantId}`,
      ).toBe(false);

    // ... nor as words of any masked upload.
    const wordWindows = new Set<string>();
    for (const { input } of inputs)
      for (let i = 0; i + 4 <= input.length; i++) wordWindows.add(bytesOf(input.subarray(i, i + 4)).toString('hex'));
    for (const { y } of receivedMasked(job.id)) {
      for (let i = 0; i + 4 <= y.length; i++)
        expect(wordWindows.has(bytesOf(y.subarray(i, i + 4)).toString('hex'))).toBe(false);
    }
  });
});
