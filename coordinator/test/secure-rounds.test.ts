import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeShare, generateSigningKeyPair, sign, verify } from '@tessera/crypto';
import { decodeUpdateSum, FedAvg } from '@tessera/fl';
import { logisticInit } from '@tessera/ml';
import { ParticipantNode } from '@tessera/participant';
import { tessera } from '@tessera/proto';
import { AnalystClient, type JobView } from '@tessera/sdk';
import { completeGraph, SecAggError, ServerAdvertiseKeys, type RoundConfig } from '@tessera/secagg';
import { SecureContribution } from '../../participant/src/secure-contribution.js';
import { Connection } from '../../participant/src/connection.js';
import { ADVERTISE_CONTEXT, advertisedBytes } from '../../packages/secagg/src/config.js';
import { Coordinator } from '../src/index.js';
import { BREAST_CANCER, shards, startNode } from './grpc-helpers.js';
import { sameBits, tempDir } from './helpers.js';

const pb = tessera.v1;
type Ref = tessera.v1.ITaskRef;
type Body = Omit<tessera.v1.IParticipantMessage, 'session' | 'seq'>;

/** The quantisation of FIT updates under the default job spec (secure.bits, secure.clip) in the ring mod 2^32. */
const UPDATE_CODEC = { bits: 20, clip: 10, modulus: 2 ** 32 };
/** breast_cancer.csv: 30 numeric features, so the model has 31 weights and a FIT ring vector 32 words. */
const MODEL_LENGTH = 31;

const fits = (job: JobView, round?: number) =>
  job.history.filter((h) => h.stage === 'fit' && (round === undefined || h.round === round));
const sumKey = (r: Ref | null | undefined) => `${r?.jobId}/${r?.round ?? 0}/${r?.computation ?? 0}/${r?.attempt ?? 0}`;
const bytesOf = (w: Uint32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength);
const sameWords = (a: Uint32Array, b: Uint32Array) => a.length === b.length && bytesOf(a).equals(bytesOf(b));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** One participant's secure contribution as its SecureContribution saw it: the ring vector before and after masking. */
interface MaskCapture {
  ref: Ref;
  input: Uint32Array;
  output: Uint32Array;
}

/** The round keys a SecureContribution advertised, with the round id it was set up with. */
interface AdvertiseCapture {
  ref: Ref;
  roundId: Uint8Array;
  encryptionKey: Uint8Array;
}

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

/** The private parts of a ParticipantNode that tests tamper with or inspect. */
interface NodeInternals {
  send(body: Body): Promise<void>;
  /** The current stream's connection, which holds the secure contribution in progress. */
  connection: Connection | undefined;
  opts: { identity: { secretKey: Uint8Array; publicKey: Uint8Array } };
  onMessage(connection: Connection, m: tessera.v1.CoordinatorMessage): Promise<void>;
}
const internals = (node: ParticipantNode) => node as unknown as NodeInternals;
/** The participant's index in the secure round its contribution belongs to. */
const indexOf = (c: SecureContribution) => (c as unknown as { state: { index: number } }).state.index;

describe('secure aggregation (SecAgg+) over real gRPC on loopback', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  const transcript: { participantId: string; message: tessera.v1.ParticipantMessage }[] = [];
  const masks: MaskCapture[] = [];
  const advertised: AdvertiseCapture[] = [];
  const nodes: ParticipantNode[] = [];
  const originalMask = SecureContribution.prototype.mask;
  const originalAdvertise = SecureContribution.prototype.advertise;

  const spec = (dataset: string, extra: Record<string, unknown> = {}) => ({
    dataset,
    label: 'benign',
    rounds: 2,
    minParticipants: 3,
    roundTimeoutSeconds: 10,
    waitForParticipantsSeconds: 15,
    maxRoundAttempts: 3,
    seed: 11,
    ...extra,
  });

  const startNodes = async (
    dataset: string,
    count: number,
    extra: (i: number) => Parameters<typeof startNode>[5] = () => ({}),
  ) => {
    const started: ParticipantNode[] = [];
    for (const [i, part] of shards(BREAST_CANCER, count).entries()) {
      const node = await startNode(coord, tmp.dir, `${dataset}-${i}`, dataset, part, extra(i));
      nodes.push(node);
      started.push(node);
    }
    return started;
  };

  /** Submits a job, collects its events and waits for its end. */
  const run = async (body: object): Promise<{ job: JobView; events: string[] }> => {
    const events: string[] = [];
    const submitted = await analyst.submit(body);
    const job = await analyst.watch(submitted.id, (_j, message) => events.push(message));
    return { job, events };
  };

  /**
   * The masked vectors the coordinator received for a job, reassembled from the transcript, per participant and secure
   * sum.
   */
  const receivedMasked = (jobId: string) => {
    const out = new Map<string, { participantId: string; sum: string; y: Uint32Array }>();
    for (const { participantId, message } of transcript) {
      if (message.body !== 'masked' || message.masked!.task?.jobId !== jobId) continue;
      const { task, chunk } = message.masked!;
      const id = `${participantId} ${sumKey(task)}`;
      let entry = out.get(id);
      if (!entry)
        out.set(id, (entry = { participantId, sum: sumKey(task), y: new Uint32Array(Number(chunk?.total ?? 0)) }));
      const words = chunk?.words ?? [];
      const offset = Number(chunk?.offset ?? 0);
      if (offset + words.length <= entry.y.length) entry.y.set(words, offset);
    }
    return [...out.values()];
  };

  /**
   * The pre-mask ring vectors of one secure sum, by participant: each captured contribution is tied to the
   * participant whose masked upload (in the transcript) is exactly the contribution's masked output.
   */
  const inputsOf = (ref: Ref): Map<string, MaskCapture> => {
    const key = sumKey(ref);
    const received = receivedMasked(ref.jobId!).filter((r) => r.sum === key);
    const out = new Map<string, MaskCapture>();
    for (const m of masks.filter((c) => sumKey(c.ref) === key)) {
      const senders = received.filter((r) => sameWords(r.y, m.output));
      if (senders.length === 1) out.set(senders[0].participantId, m);
    }
    return out;
  };

  /** The model FedAvg makes of exactly the survivors' pre-mask inputs (decoded from their sum mod 2^32). */
  const expectedModel = (
    jobId: string,
    round: number,
    attempt: number,
    survivors: readonly string[],
    previous: Float64Array,
  ): Float64Array => {
    const inputs = inputsOf({ jobId, round, computation: pb.Stage.FIT, attempt });
    const sum = new Uint32Array(MODEL_LENGTH + 1);
    for (const id of survivors) {
      const input = inputs.get(id)?.input;
      expect(input, `the pre-mask input of survivor ${id} in round ${round} attempt ${attempt}`).toBeDefined();
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + input![i]) >>> 0;
    }
    return new FedAvg().aggregateFit(round, previous, {
      ...decodeUpdateSum(sum, UPDATE_CODEC),
      contributors: survivors.length,
    });
  };

  /** Every completed fit round's stored model is exactly FedAvg of its contributors' inputs (the ones not dropped). */
  const expectModelsFromSurvivors = (job: JobView) => {
    let previous = logisticInit(MODEL_LENGTH - 1);
    for (const r of fits(job).filter((h) => h.status === 'completed')) {
      const survivors = [
        ...inputsOf({ jobId: job.id, round: r.round, computation: pb.Stage.FIT, attempt: r.attempt }).keys(),
      ].filter((id) => !r.dropped.includes(id));
      expect(survivors, `contributors of round ${r.round}`).toHaveLength(r.contributors);
      const stored = coord.store.loadModel(job.id, r.round)!;
      expect(
        sameBits(stored, expectedModel(job.id, r.round, r.attempt, survivors, previous)),
        `round ${r.round}'s model is the survivors' FedAvg`,
      ).toBe(true);
      previous = stored;
    }
  };

  beforeAll(async () => {
    coord = await Coordinator.start({
      dataDir: join(tmp.dir, 'coordinator'),
      listen: '127.0.0.1:0',
      onParticipantMessage: (participantId, message) => transcript.push({ participantId, message }),
    });
    analyst = new AnalystClient(coord.address, coord.analystToken);
    // Capture each contribution's ring vector before masking (the contribution zeroes it afterwards) and its round
    // keys.
    SecureContribution.prototype.mask = function (this: SecureContribution, m: tessera.v1.ISharesForYou): Uint32Array {
      const input = (this as unknown as { words: Uint32Array }).words.slice();
      const output = originalMask.call(this, m);
      masks.push({ ref: this.ref, input, output: output.slice() });
      return output;
    };
    SecureContribution.prototype.advertise = function (this: SecureContribution): tessera.v1.IAdvertiseKeys {
      const a = originalAdvertise.call(this);
      advertised.push({ ref: this.ref, roundId: this.config.roundId.slice(), encryptionKey: a.encryptionKey!.slice() });
      return a;
    };
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  afterAll(async () => {
    SecureContribution.prototype.mask = originalMask;
    SecureContribution.prototype.advertise = originalAdvertise;
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  it('a masked job with five participants completes, reports its SecAgg+ parameters, and matches a plaintext run', async () => {
    const dataset = 'five';
    await startNodes(dataset, 5);
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
    expectModelsFromSurvivors(masked);

    // Quantisation (20 bits over a clip of 10) adds noise of about 1e-5 per weight: the models agree closely.
    const a = (await analyst.result(masked.id)).weights;
    const b = (await analyst.result(plain.id)).weights;
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

  describe('dropouts at each secure stage of a fit round', () => {
    const STAGES = [
      ['ADVERTISE_KEYS', pb.Stage.ADVERTISE_KEYS, 'advertise keys', 'participants that advertised keys'],
      ['SHARE_KEYS', pb.Stage.SHARE_KEYS, 'share keys', 'participants that sent shares'],
      ['MASKED_INPUT', pb.Stage.MASKED_INPUT, 'masked input', 'participants that sent masked inputs'],
      ['UNMASK', pb.Stage.UNMASK, 'unmask', 'survivors that answered the unmask request'],
    ] as const;

    /** Drops the connection once, on receiving this stage of fit round 1. */
    const dropOnce = (stage: tessera.v1.Stage) => {
      let armed = true;
      return (ref: Ref) => {
        if (!armed || ref.computation !== pb.Stage.FIT || ref.round !== 1 || ref.stage !== stage) return false;
        armed = false;
        return true;
      };
    };

    it.each(STAGES)(
      "at %s with enough remaining, the round completes without the participant's lost input",
      async (name, stage) => {
        const dataset = `enough-${name}`;
        const started = await startNodes(dataset, 4, (i) => (i === 3 ? { dropAt: dropOnce(stage) } : {}));
        const victim = started[3];
        const { job, events } = await run(spec(dataset));
        expect(job.status, job.error).toBe('completed');
        const [first] = fits(job, 1);
        expect(fits(job, 1)).toHaveLength(1);
        if (stage === pb.Stage.UNMASK) {
          // Its masked input had arrived: the other survivors' shares recover its self-mask, so its input is in the
          // sum.
          expect(first).toMatchObject({ status: 'completed', attempt: 1, contributors: 4, dropped: [] });
        } else {
          expect(first).toMatchObject({ status: 'completed', attempt: 1, contributors: 3, dropped: [victim.id] });
          expect(events.find((e) => e.startsWith('round 1/2 completed'))).toContain(
            `dropped ${victim.id}: disconnected during the round`,
          );
        }
        expect(first.metrics).toMatchObject({ threshold: 3, degree: 3, rejected: 0 });
        expect(job.roundsCompleted).toBe(2);
        expectModelsFromSurvivors(job);
      },
    );

    it.each(STAGES)(
      'at %s with too few remaining, the round fails with a reason and no model, and a fresh attempt completes',
      async (name, stage, step, what) => {
        const dataset = `too-few-${name}`;
        const started = await startNodes(dataset, 3, (i) => (i === 2 ? { dropAt: dropOnce(stage) } : {}));
        const victim = started[2];
        const atFailure: { model: Float64Array | undefined; roundsCompleted: number }[] = [];
        const onEvent = (jobId: string, message: string) => {
          if (message.startsWith('fit round 1 attempt 1 failed'))
            atFailure.push({
              model: coord.store.loadModel(jobId, 1),
              roundsCompleted: coord.store.getJob(jobId)!.roundsCompleted,
            });
        };
        coord.events.on('*', onEvent);
        const { job, events } = await run(spec(dataset)).finally(() => coord.events.off('*', onEvent));
        expect(job.status, job.error).toBe('completed');

        const [failed, retried] = fits(job, 1);
        expect(fits(job, 1)).toHaveLength(2);
        const reason = `secure aggregation failed: ${step}: ${what}: 2, the threshold is 3 (${victim.id}: disconnected during the round)`;
        expect(failed).toMatchObject({
          status: 'failed',
          attempt: 1,
          contributors: 0,
          dropped: [victim.id],
          error: reason,
          metrics: { threshold: 3, degree: 2 },
        });
        expect(events).toContain(`fit round 1 attempt 1 failed: ${reason}`);
        // No partial output: when the attempt failed there was no model for the round.
        expect(atFailure).toEqual([{ model: undefined, roundsCompleted: 0 }]);
        expect(retried).toMatchObject({ status: 'completed', attempt: 2, contributors: 3, dropped: [] });
        expect(job.roundsCompleted).toBe(2);
        expectModelsFromSurvivors(job);

        // The new attempt ran with a fresh round id and fresh keys.
        const ofAttempt = (attempt: number) =>
          advertised.filter(
            (a) => sumKey(a.ref) === sumKey({ jobId: job.id, round: 1, computation: pb.Stage.FIT, attempt }),
          );
        const [one, two] = [ofAttempt(1), ofAttempt(2)];
        expect(one.length).toBe(stage === pb.Stage.ADVERTISE_KEYS ? 2 : 3);
        expect(two.length).toBe(3);
        const roundIds = (list: AdvertiseCapture[]) => new Set(list.map((a) => hex(a.roundId)));
        expect(roundIds(one).size).toBe(1);
        expect(roundIds(two).size).toBe(1);
        expect([...roundIds(two)][0]).not.toBe([...roundIds(one)][0]);
        const oldKeys = new Set(one.map((a) => hex(a.encryptionKey)));
        expect(two.some((a) => oldKeys.has(hex(a.encryptionKey)))).toBe(false);
        // The AdvertiseKeys the coordinator recorded: attempt 2's verify under attempt 2's round id, attempt 1's never
        // do.
        const roundId2 = two[0].roundId;
        const recorded = (attempt: number) =>
          transcript.filter(
            (t) =>
              t.message.body === 'advertise' &&
              sumKey(t.message.advertise!.task) ===
                sumKey({ jobId: job.id, round: 1, computation: pb.Stage.FIT, attempt }),
          );
        const signedFor = (t: (typeof transcript)[number], roundId: Uint8Array) => {
          const a = t.message.advertise!;
          const key = coord.store.getParticipant(t.participantId)!.publicKey;
          return [0, 1, 2].some((i) =>
            verify(ADVERTISE_CONTEXT, advertisedBytes(roundId, i, a.encryptionKey!, a.maskingKey!), a.signature!, key),
          );
        };
        expect(recorded(2)).toHaveLength(3);
        for (const t of recorded(2)) expect(signedFor(t, roundId2)).toBe(true);
        expect(recorded(1)).toHaveLength(one.length);
        for (const t of recorded(1)) expect(signedFor(t, roundId2)).toBe(false);
      },
    );
  });

  it('rejects bad secure-aggregation input with a reason, counts it, and the round goes on for the others', async () => {
    const dataset = 'bad-input';
    const started = await startNodes(dataset, 5);
    const offender = started[4];
    const other = internals(started[0]).opts.identity;
    const rejections: string[] = [];
    offender.on('rejected', (reason: string) => rejections.push(reason));

    // Round r of the job tampers with the offender's fit messages in way r.
    let roundOneAdvert: tessera.v1.IAdvertiseKeys | undefined;
    let offenderIndex = -1;
    let tamperedPeer = -1;
    const genuineSend = internals(offender).send.bind(offender);
    const tamper = (body: Body): Body => {
      const ref = body.advertise?.task ?? body.shareKeys?.task ?? body.masked?.task;
      if (!ref || ref.computation !== pb.Stage.FIT) return body;
      if (body.advertise && ref.round === 1) roundOneAdvert = body.advertise;
      if (body.shareKeys) {
        // The complete graph: the offender addresses everyone but itself.
        const peers = (body.shareKeys.shares ?? []).map((s) => s.peer!);
        offenderIndex = [...Array(peers.length + 1).keys()].find((i) => !peers.includes(i))!;
      }
      const shares = (change: (s: tessera.v1.IEncryptedShare) => tessera.v1.IEncryptedShare): Body => ({
        shareKeys: { ...body.shareKeys, shares: body.shareKeys!.shares!.map((s, i) => (i === 0 ? change(s) : s)) },
      });
      switch (ref.round) {
        case 1: // a masked vector that claims another length
          return body.masked
            ? {
                masked: {
                  ...body.masked,
                  chunk: { ...body.masked.chunk, total: Number(body.masked.chunk!.total) + 1 },
                },
              }
            : body;
        case 2: // a short masked vector
          return body.masked
            ? {
                masked: {
                  ...body.masked,
                  chunk: {
                    ...body.masked.chunk,
                    words: (body.masked.chunk!.words as unknown as Uint32Array).slice(0, -1) as unknown as number[],
                  },
                },
              }
            : body;
        case 3: // a share addressed to an index outside the round
          return body.shareKeys ? shares((s) => ({ ...s, peer: 99 })) : body;
        case 4: // a share addressed to the offender itself
          return body.shareKeys ? shares((s) => ({ ...s, peer: offenderIndex })) : body;
        case 5: // a share ciphertext with one byte flipped: only its recipient can tell
          if (!body.shareKeys) return body;
          return shares((s) => {
            tamperedPeer = s.peer!;
            const ciphertext = Uint8Array.from(s.ciphertext!);
            ciphertext[20] ^= 0x01;
            return { ...s, ciphertext };
          });
        case 6: // round 1's AdvertiseKeys replayed in a later round
          return body.advertise
            ? {
                advertise: {
                  ...body.advertise,
                  encryptionKey: roundOneAdvert!.encryptionKey,
                  maskingKey: roundOneAdvert!.maskingKey,
                  signature: roundOneAdvert!.signature,
                },
              }
            : body;
        case 7: {
          // AdvertiseKeys signed with another participant's identity key
          if (!body.advertise) return body;
          const c = internals(offender).connection!.secure!;
          offenderIndex = indexOf(c);
          const signature = sign(
            ADVERTISE_CONTEXT,
            advertisedBytes(c.config.roundId, offenderIndex, body.advertise.encryptionKey!, body.advertise.maskingKey!),
            other.secretKey,
          );
          return { advertise: { ...body.advertise, signature } };
        }
        default:
          return body;
      }
    };
    internals(offender).send = (body: Body) => genuineSend(tamper(body));

    const { job, events } = await run(spec(dataset, { rounds: 7 }));
    expect(job.status, job.error).toBe('completed');
    const rounds = fits(job);
    expect(rounds.map((r) => [r.round, r.status, r.attempt, r.contributors])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((r) => [r, 'completed', 1, 4]),
    );
    for (const r of rounds) expect(r.metrics).toMatchObject({ threshold: 3, degree: 4, participants: 5 });

    const o = offenderIndex;
    const signatureReason = `AdvertiseKeys from participant ${o}: the signature does not verify under its identity key for this round`;
    const expected: [round: number, reason: string][] = [
      [1, `vector length ${MODEL_LENGTH + 2} does not match the expected ${MODEL_LENGTH + 1}`],
      [2, `the masked vector is incomplete: ${MODEL_LENGTH} of ${MODEL_LENGTH + 1} words arrived before done`],
      [3, `ShareKeys from participant ${o}: a share addressed to 99, not in 0..4`],
      [
        4,
        `ShareKeys from participant ${o}: a share addressed to participant ${o}, which is not a neighbour that advertised keys`,
      ],
      [6, signatureReason],
      [7, signatureReason],
    ];
    for (const [round, reason] of expected) {
      const r = fits(job, round)[0];
      expect(rejections, `round ${round}`).toContain(reason);
      expect(r.dropped, `round ${round}`).toEqual([offender.id]);
      expect(r.metrics.rejected, `round ${round}`).toBe(1);
      expect(events.find((e) => e.startsWith(`round ${round}/7 completed`))).toContain(
        `dropped ${offender.id}: ${reason}`,
      );
    }
    // Round 1's rejection closed the offender's upload, so its trailing 'done' had no open task either.
    expect(rejections).toContain(`no open task for job ${job.id} round 1 stage masked-input of fit attempt 1`);

    // The tampered ciphertext passes the coordinator (it cannot open it); its recipient refuses the step,
    // naming the sender, and drops out of the round; the round completes for the other four.
    const five = fits(job, 5)[0];
    expect(five.metrics.rejected).toBe(0);
    expect(five.dropped).toHaveLength(1);
    expect(five.dropped[0]).not.toBe(offender.id);
    expect(events.find((e) => e.startsWith('round 5/7 completed'))).toContain(
      `dropped ${five.dropped[0]}: participant ${tamperedPeer}: the share ciphertext from participant ${o} fails authentication (tampered, or from another round)`,
    );

    // Every round's model is exactly the FedAvg of the accepted inputs: no rejected vector reached a sum.
    expectModelsFromSurvivors(job);
    expect(fits(job, 7)[0].metrics.auc).toBeGreaterThan(0.95);
  });
});

describe('a participant asked for both shares of one participant', () => {
  /**
   * Three SecureContributions (n = 3, t = 2) driven by the in-process SecAgg+ server through MaskedInput; participant 2
   * drops.
   */
  function threeAtUnmask() {
    const n = 3;
    const roundId = new Uint8Array(32).fill(9);
    const identities = Array.from({ length: n }, () => generateSigningKeyPair());
    const identityKeys = identities.map((k) => k.publicKey);
    const ref: Ref = {
      jobId: 'job-x',
      round: 1,
      stage: pb.Stage.ADVERTISE_KEYS,
      computation: pb.Stage.FIT,
      attempt: 1,
    };
    const inputs = [
      [1, 2, 3, 4],
      [10, 20, 30, 40],
      [100, 200, 300, 400],
    ].map((w) => Uint32Array.from(w));
    const contributions = inputs.map(
      (w, index) =>
        new SecureContribution(
          ref,
          {
            roundId,
            index,
            participantIds: ['a', 'b', 'c'],
            identityKeys,
            threshold: 2,
            degree: n - 1,
            graphSeed: new Uint8Array(32),
            modulus: 2 ** 32,
            computation: pb.Stage.FIT,
          },
          w.slice(),
          identities[index].secretKey,
        ),
    );
    const config: RoundConfig = { roundId, n, threshold: 2, graph: completeGraph(n), dimension: 4, identityKeys };
    const advertise = new ServerAdvertiseKeys(config);
    contributions.forEach((c, index) =>
      advertise.receive({
        index,
        ...(c.advertise() as { encryptionKey: Uint8Array; maskingKey: Uint8Array; signature: Uint8Array }),
      }),
    );
    const shareKeys = advertise.close();
    contributions.forEach((c, index) => {
      const keys = shareKeys.forwardedKeys(index);
      const out = c.shareKeys({
        indices: keys.map((k) => k.index),
        keys: keys.map((k) => ({ encryptionKey: k.encryptionKey, maskingKey: k.maskingKey, signature: k.signature })),
      });
      shareKeys.receive({ index, shares: out.shares!.map((s) => ({ to: s.peer!, ciphertext: s.ciphertext! })) });
    });
    const masked = shareKeys.close();
    const ys = contributions.map((c, index) =>
      c.mask({ shares: masked.sharesFor(index).map((x) => ({ peer: x.from, ciphertext: x.ciphertext })) }),
    );
    masked.receive({ index: 0, y: ys[0] });
    masked.receive({ index: 1, y: ys[1] });
    return { contributions, inputs, unmask: masked.close(), ref };
  }

  const refusal = (f: () => unknown): SecAggError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SecAggError);
      return e as SecAggError;
    }
    throw new Error('expected a refusal');
  };

  it('SecureContribution refuses to reveal both the self-mask and the masking-key share of one participant', () => {
    const {
      contributions: [c0, c1],
      inputs,
      unmask,
    } = threeAtUnmask();
    const honest = unmask.unmaskRequest();
    expect(honest).toEqual({ survivors: [0, 1], dropped: [2] });

    // Participant 1 listed both as a survivor and as dropped: its self-mask and its masking key would both come out.
    let e = refusal(() => c0.unmask({ survivors: [0, 1, 2], dropped: [2] }));
    expect(e.code).toBe('both-shares-requested');
    expect(e.message).toBe('participant 0: participant 2 is listed both as a survivor and as dropped');
    // Listing the answering participant itself as dropped (it sent its masked input) is refused the same way.
    e = refusal(() => c1.unmask({ survivors: [0, 2], dropped: [1] }));
    expect(e.code).toBe('both-shares-requested');

    // The refusals changed nothing: the honest request is still answered, and the sum comes out.
    const answers = [c0, c1].map((c, index) => ({
      index,
      reply: c.unmask({ survivors: [...honest.survivors], dropped: [...honest.dropped] }),
    }));
    for (const { index, reply } of answers) {
      expect(reply.selfMaskShares!.map((s) => s.owner)).toEqual([0, 1]);
      expect(reply.maskingKeyShares!.map((s) => s.owner)).toEqual([2]);
      unmask.receive({
        index,
        selfMaskShares: reply.selfMaskShares!.map((s) => ({ of: s.owner!, share: decodeShare(s.share!) })),
        maskingKeyShares: reply.maskingKeyShares!.map((s) => ({ of: s.owner!, share: decodeShare(s.share!) })),
      });
    }
    expect([...unmask.finish()]).toEqual([...inputs[0]].map((v, i) => v + inputs[1][i]));

    // Having revealed participant 2's masking-key share, participant 0 will not now reveal its self-mask share.
    expect(() => c0.unmask({ survivors: [0, 1, 2], dropped: [] })).toThrow('an unmask request arrived out of order');
  });

  it('a ParticipantNode answers such a request with a refusal naming the reason, and sends no shares', async () => {
    const {
      contributions: [c0],
      ref,
    } = threeAtUnmask();
    const node = new ParticipantNode({
      config: {
        name: 'n0',
        coordinator: '127.0.0.1:1',
        participantId: 'p-n0',
        identityKey: '(in memory)',
        datasets: {},
      },
      identity: generateSigningKeyPair(),
    });
    const sent: Body[] = [];
    internals(node).send = async (body: Body) => {
      sent.push(body);
    };
    // A connection whose stream is never written to: the node's send is replaced above.
    const connection = new Connection({} as never, node.id, generateSigningKeyPair().secretKey);
    connection.secure = c0;
    internals(node).connection = connection;
    const unmaskRef = { ...ref, stage: pb.Stage.UNMASK };
    await internals(node).onMessage(
      connection,
      pb.CoordinatorMessage.create({ unmaskRequest: { task: unmaskRef, survivors: [0, 1, 2], dropped: [2] } }),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0].unmask).toBeUndefined();
    expect(sent[0].refused).toMatchObject({
      task: unmaskRef,
      reason: 'participant 0: participant 2 is listed both as a survivor and as dropped',
    });
    expect(connection.secure).toBeUndefined();
  });
});
